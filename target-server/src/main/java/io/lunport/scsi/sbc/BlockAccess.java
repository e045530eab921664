package io.lunport.scsi.sbc;

import io.lunport.device.NoSpaceException;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.SenseData;
import io.lunport.translation.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The checks and error mapping every block command shares. */
final class BlockAccess {

    /** RDPROTECT / WRPROTECT / VRPROTECT: byte 1, bits 7..5. */
    private static final int PROTECT_MASK = 0xE0;

    private BlockAccess() {
    }

    /**
     * Rejects protection information (lunport formats no LU with it), a transfer longer than the
     * Block Limits page allows, and a range outside the medium, in this order.
     */
    static void validate(ByteBuffer cdb, BlockCdbLayout layout, LogicalUnit unit, long lba, long blocks)
            throws ScsiException {
        if (layout.hasFlags() && (cdb.get(1) & PROTECT_MASK) != 0) {
            throw ScsiException.invalidCdbField(1, 7);
        }
        if (blocks > BlockLimits.maxTransferBlocks(unit)) {
            throw ScsiException.invalidCdbField(layout.lengthIndex(), -1);
        }
        checkRange(unit, lba, blocks);
    }

    /** LBA + blocks must stay within the medium; both unsigned, and the sum must not wrap. */
    static void checkRange(LogicalUnit unit, long lba, long blocks) throws ScsiException {
        long capacity = unit.blockCount();
        if (Long.compareUnsigned(lba, capacity) > 0 || Long.compareUnsigned(blocks, capacity - lba) > 0) {
            throw ScsiException.lbaOutOfRange();
        }
    }

    static void read(LogicalUnit unit, long lba, ByteBuffer dst) throws ScsiException {
        try {
            unit.device().read(lba << unit.blockShift(), dst);
        } catch (IOException e) {
            throw mediumError(unit, SenseData.ASC_UNRECOVERED_READ_ERROR, lba, e);
        }
    }

    static void write(LogicalUnit unit, long lba, ByteBuffer src, boolean forceUnitAccess) throws ScsiException {
        try {
            unit.device().write(lba << unit.blockShift(), src, forceUnitAccess);
        } catch (IOException e) {
            throw mediumError(unit, SenseData.ASC_WRITE_ERROR, lba, e);
        }
    }

    /**
     * MEDIUM ERROR naming the failing LBA: the medium's own offset when it reports one. A full
     * file system under an overlay is DATA PROTECT, SPACE ALLOCATION FAILED WRITE PROTECT
     * (SBC-3 4.7.3.6): the initiator learns the LU is out of space, not that the medium is bad.
     */
    static ScsiException mediumError(LogicalUnit unit, int asc, long lba, IOException e) {
        long failing = e instanceof MediumException m ? m.virtualOffset() >>> unit.blockShift() : lba;
        if (e instanceof NoSpaceException) {
            return ScsiException.withInformation(SenseData.DATA_PROTECT, SenseData.ASC_WRITE_PROTECTED,
                    SenseData.ASCQ_SPACE_ALLOCATION_FAILED, failing);
        }
        return ScsiException.withInformation(SenseData.MEDIUM_ERROR, asc, 0, failing);
    }
}
