package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * COMPARE AND WRITE (SBC-3), the atomic test-and-set VMware's ATS locking is built on. The
 * data-out is NUMBER OF LOGICAL BLOCKS blocks to compare with the medium followed by as many to
 * write; the write happens only when every compared byte is equal, otherwise the command ends
 * with MISCOMPARE naming the offset of the first byte that differs. The compare and the write
 * hold the LU's {@link MediumLock} exclusively, so no other write of the LU can come between
 * them.
 *
 * <p>NUMBER OF LOGICAL BLOCKS above {@link BlockLimits#MAX_COMPARE_AND_WRITE_BLOCKS} (reported in
 * the Block Limits VPD page) is an invalid field. A data-out of any other length than twice the
 * blocks is refused rather than treated as a residual: half a compare-and-write means nothing.
 * NUMBER OF LOGICAL BLOCKS 0 compares and writes nothing and is no error (SBC-3), unless the
 * initiator announced more data-out than any COMPARE AND WRITE we accept can carry: that is a
 * count too large for the one-byte field (libiscsi's CompareAndWrite.Simple sends 256 blocks as
 * 0 and expects INVALID FIELD IN CDB).
 */
public final class CompareAndWrite implements CommandHandler {

    /** LBA in bytes 2..9, NUMBER OF LOGICAL BLOCKS in byte 13; byte 1 as in WRITE(16). */
    static final BlockCdbLayout LAYOUT = new BlockCdbLayout(2, 8, 13, 1, true);

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = LAYOUT.lba(cdb);
        long blocks = LAYOUT.transferLength(cdb);
        BlockAccess.validate(cdb, LAYOUT, unit, lba, blocks);
        if (blocks > BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS) {
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        BlockAccess.checkWritable(unit);
        int half = (int) (blocks << unit.blockShift());
        int expectedLength = task.expectedDataTransferLength();
        if (blocks == 0) {
            if (expectedLength > 2 * (BlockLimits.MAX_COMPARE_AND_WRITE_BLOCKS << unit.blockShift())) {
                throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
            }
            return;
        }
        if (expectedLength != 2 * half) {
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        ByteBuffer out = task.dataOut(2 * half);
        if (out.limit() < 2 * half) {
            throw ScsiException.invalidCdbField(LAYOUT.lengthIndex(), -1);
        }
        boolean forceUnitAccess = BlockAccess.forceUnitAccess(cdb, LAYOUT, unit);
        MediumLock lock = unit.mediumLock();
        long differs;
        long stamp = lock.lockExclusive();
        try {
            differs = BlockAccess.firstMismatch(unit, lba, out, half, false);
            if (differs < 0) {
                out.limit(2 * half).position(half);
                BlockAccess.writeLocked(unit, lba, out, forceUnitAccess);
            }
        } finally {
            lock.unlockExclusive(stamp);
        }
        if (differs >= 0) {
            throw BlockAccess.miscompare(differs);
        }
    }
}
