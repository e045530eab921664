package io.lunport.scsi.sbc;

import io.lunport.device.NoSpaceException;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.translation.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;

/** The checks, error mapping and medium access every block command shares. */
final class BlockAccess {

    /** RDPROTECT / WRPROTECT / VRPROTECT / ORPROTECT: byte 1, bits 7..5. */
    private static final int PROTECT_MASK = 0xE0;
    /** FUA: byte 1, bit 3, in every write-type CDB but the 6-byte one. */
    private static final int FUA = 0x08;

    /**
     * Bytes of medium one thread reads at a time to compare or merge with data-out: a multiple of
     * every logical block size, small enough to keep per worker thread.
     */
    static final int SCRATCH_BYTES = 64 << 10;

    /**
     * One scratch buffer per worker thread, so that comparing and merging allocate nothing per
     * command. Direct, so that file reads land in it without an intermediate copy.
     */
    private static final ThreadLocal<ByteBuffer> SCRATCH =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(SCRATCH_BYTES));

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

    static void checkWritable(LogicalUnit unit) throws ScsiException {
        if (unit.isReadOnly()) {
            throw ScsiException.check(SenseData.DATA_PROTECT, SenseData.ASC_WRITE_PROTECTED, 0);
        }
    }

    /**
     * What every command that writes its data-out does first: validates the CDB's range, refuses a
     * read-only LU, and returns the complete blocks of data-out received (position 0, limit at the
     * last complete block), or null when there are none. When the initiator sent less than the
     * CDB announced, only those blocks are written and the command still ends GOOD: the transport
     * reports the residual, and libiscsi's residual tests expect exactly the blocks covered by the
     * expected transfer length to change.
     */
    static ByteBuffer blocksToWrite(ScsiTask task, BlockCdbLayout layout, LogicalUnit unit, long lba, long blocks)
            throws ScsiException {
        validate(task.cdb(), layout, unit, lba, blocks);
        checkWritable(unit);
        if (blocks == 0) {
            return null;
        }
        ByteBuffer out = task.dataOut((int) (blocks << unit.blockShift()));
        int complete = out.limit() & -unit.logicalBlockSize();
        return complete == 0 ? null : out.position(0).limit(complete);
    }

    /** BYTCHK of VERIFY and WRITE AND VERIFY: byte 1, bits 2..1. */
    static int byteCheck(ByteBuffer cdb) {
        return (cdb.get(1) >>> 1) & 0x03;
    }

    /**
     * Whether a write must be durable before the command completes: the CDB's FUA bit, or a
     * write cache the initiator turned off (WCE 0 in the caching mode page). DPO needs nothing:
     * there is no cache to keep the blocks out of.
     */
    static boolean forceUnitAccess(ByteBuffer cdb, BlockCdbLayout layout, LogicalUnit unit) {
        return (layout.hasFlags() && (cdb.get(1) & FUA) != 0) || !unit.modeParameters().writeCacheEnabled();
    }

    static void read(LogicalUnit unit, long lba, ByteBuffer dst) throws ScsiException {
        try {
            unit.device().read(lba << unit.blockShift(), dst);
        } catch (IOException e) {
            throw mediumError(unit, SenseData.ASC_UNRECOVERED_READ_ERROR, lba, e);
        }
    }

    /**
     * A plain write: holds the LU's {@link MediumLock} shared, so that it cannot land inside a
     * COMPARE AND WRITE of the same LU.
     */
    static void write(LogicalUnit unit, long lba, ByteBuffer src, boolean forceUnitAccess) throws ScsiException {
        MediumLock lock = unit.mediumLock();
        long stamp = lock.lockShared();
        try {
            writeLocked(unit, lba, src, forceUnitAccess);
        } finally {
            lock.unlockShared(stamp);
        }
    }

    /** A write by a command that already holds the LU's {@link MediumLock} (shared or exclusive). */
    static void writeLocked(LogicalUnit unit, long lba, ByteBuffer src, boolean forceUnitAccess)
            throws ScsiException {
        try {
            unit.device().write(lba << unit.blockShift(), src, forceUnitAccess);
        } catch (IOException e) {
            throw mediumError(unit, SenseData.ASC_WRITE_ERROR, lba, e);
        }
    }

    /** This thread's scratch buffer, cleared: {@link #SCRATCH_BYTES} long. */
    static ByteBuffer scratch() {
        return SCRATCH.get().clear();
    }

    /**
     * Compares {@code length} bytes of the medium from {@code lba} with {@code expected} (from
     * index 0), or, with {@code repeatFirstBlock}, every block of them with the first block of
     * {@code expected}. Returns the offset of the first byte that differs, or -1.
     *
     * <p>{@code length} is a multiple of the block size. Moves {@code expected}'s position and
     * limit.
     */
    static long firstMismatch(LogicalUnit unit, long lba, ByteBuffer expected, int length, boolean repeatFirstBlock)
            throws ScsiException {
        ByteBuffer medium = scratch();
        int blockSize = unit.logicalBlockSize();
        for (int done = 0; done < length; ) {
            int n = Math.min(medium.capacity(), length - done);
            medium.clear().limit(n);
            read(unit, lba + (done >>> unit.blockShift()), medium);
            int segment = repeatFirstBlock ? blockSize : n;
            for (int at = 0; at < n; at += segment) {
                medium.limit(at + segment).position(at);
                int from = repeatFirstBlock ? 0 : done + at;
                expected.limit(from + segment).position(from);
                int differs = medium.mismatch(expected);
                if (differs >= 0) {
                    return (long) done + at + differs;
                }
            }
            done += n;
        }
        return -1;
    }

    /**
     * MISCOMPARE, MISCOMPARE DURING VERIFY OPERATION, with INFORMATION set to the offset into the
     * data-out of the first byte that differs.
     */
    static ScsiException miscompare(long offset) {
        return ScsiException.withInformation(SenseData.MISCOMPARE, SenseData.ASC_MISCOMPARE_DURING_VERIFY, 0, offset);
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
