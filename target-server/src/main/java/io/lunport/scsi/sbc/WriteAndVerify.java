package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * WRITE AND VERIFY(10), (12) and (16) (SBC-3). The blocks are written, and with BYTCHK 01b what
 * is then on the medium is compared with the data-out: MISCOMPARE names the first byte that
 * differs. With BYTCHK 00b the medium would be verified without a compare, which for a medium
 * without checksums is the write alone. BYTCHK 1xb is reserved for this command.
 *
 * <p>The verify is of the medium, so the write goes through any cache first: it is done as if
 * FUA were set (the CDB has no FUA bit). DPO needs nothing. The write and its read-back hold the
 * {@link MediumLock} exclusively, so that another initiator's write to the same blocks in
 * between cannot turn into a false MISCOMPARE.
 *
 * <p>As for WRITE, a short data-out writes (and compares) the complete blocks received.
 */
public final class WriteAndVerify implements CommandHandler {

    private static final int BYTCHK_NONE = 0;
    private static final int BYTCHK_COMPARE = 1;

    private final BlockCdbLayout layout;

    public WriteAndVerify(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int bytchk = BlockAccess.byteCheck(cdb);
        if (bytchk > BYTCHK_COMPARE) {
            throw ScsiException.invalidCdbField(1, 2);
        }
        long lba = layout.lba(cdb);
        ByteBuffer out = BlockAccess.blocksToWrite(task, layout, unit, lba, layout.transferLength(cdb));
        if (out == null) {
            return;
        }
        if (bytchk == BYTCHK_NONE) {
            BlockAccess.write(unit, lba, out, true);
            return;
        }
        int length = out.limit();
        MediumLock lock = unit.mediumLock();
        long differs;
        long stamp = lock.lockExclusive();
        try {
            BlockAccess.writeLocked(unit, lba, out, true);
            differs = BlockAccess.firstMismatch(unit, lba, out, length, false);
        } finally {
            lock.unlockExclusive(stamp);
        }
        if (differs >= 0) {
            throw BlockAccess.miscompare(differs);
        }
    }
}
