package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * WRITE ATOMIC(16) (9Ch, SBC-4 5.48): a write that no other write of the LU can interleave
 * with. It holds the LU's {@link MediumLock} exclusively for the write, as COMPARE AND WRITE
 * does for its compare and write, so every other writer's blocks land wholly before or wholly
 * after it. (Readers take no medium lock; the overlay's grain locks show each 4 KiB grain old
 * or new as a whole.)
 *
 * <p>The Block Limits VPD page advertises the limits checked here (SBC-4 6.6.4): at most
 * {@link BlockLimits#MAX_ATOMIC_TRANSFER_BYTES}, starting on and covering whole physical blocks
 * (ATOMIC ALIGNMENT and ATOMIC TRANSFER LENGTH GRANULARITY), no atomic boundary. A data-out
 * shorter than the CDB announces writes nothing: part of an atomic write is not one.
 */
public final class WriteAtomic implements CommandHandler {

    /** LBA in bytes 2..9, ATOMIC BOUNDARY in 10..11, TRANSFER LENGTH in 12..13; byte 1 as WRITE(16). */
    static final BlockCdbLayout LAYOUT = new BlockCdbLayout(2, 8, 12, 2, true);
    private static final int BOUNDARY_INDEX = 10;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = LAYOUT.lba(cdb);
        long blocks = LAYOUT.transferLength(cdb);
        BlockAccess.validate(cdb, LAYOUT, unit, lba, blocks);
        if (Cdb.u16(cdb, BOUNDARY_INDEX) != 0) {
            throw ScsiException.invalidCdbField(BOUNDARY_INDEX, -1);
        }
        int granularity = BlockLimits.atomicGranularityBlocks(unit);
        if (blocks > BlockLimits.maxAtomicTransferBlocks(unit) || blocks % granularity != 0) {
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        if (lba % granularity != 0) {
            throw ScsiException.invalidCdbField(LAYOUT.lbaIndex(), -1);
        }
        ByteBuffer out = BlockAccess.blocksToWrite(task, LAYOUT, unit, lba, blocks);
        if (out == null) {
            if (blocks == 0) {
                return;
            }
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        if (out.limit() != blocks << unit.blockShift()) {
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        boolean forceUnitAccess = BlockAccess.forceUnitAccess(cdb, LAYOUT, unit);
        MediumLock lock = unit.mediumLock();
        long stamp = lock.lockExclusive();
        try {
            BlockAccess.writeLocked(unit, lba, out, forceUnitAccess);
        } finally {
            lock.unlockExclusive(stamp);
        }
    }
}
