package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * ORWRITE(16) (SBC-3): each block becomes the bitwise OR of what the medium holds and the
 * data-out. The read, merge and write of the whole range hold the LU's {@link MediumLock}
 * exclusively, so the merge cannot lose a concurrent write. The merge happens in this thread's
 * scratch buffer, chunk by chunk; the transport's data-out is left as received.
 *
 * <p>As for WRITE, a short data-out merges the complete blocks received.
 */
public final class OrWrite implements CommandHandler {

    private final BlockCdbLayout layout;

    public OrWrite(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        ByteBuffer out = BlockAccess.blocksToWrite(task, layout, unit, lba, layout.transferLength(cdb));
        if (out == null) {
            return;
        }
        int complete = out.limit();
        boolean forceUnitAccess = BlockAccess.forceUnitAccess(cdb, layout, unit);
        MediumLock lock = unit.mediumLock();
        long stamp = lock.lockExclusive();
        try {
            ByteBuffer medium = BlockAccess.scratch();
            for (int done = 0; done < complete; ) {
                int n = Math.min(medium.capacity(), complete - done);
                long at = lba + (done >>> unit.blockShift());
                medium.clear().limit(n);
                BlockAccess.read(unit, at, medium);
                // Blocks are multiples of 8 bytes: merge a long at a time.
                for (int i = 0; i < n; i += Long.BYTES) {
                    medium.putLong(i, medium.getLong(i) | out.getLong(done + i));
                }
                medium.position(0).limit(n);
                BlockAccess.writeLocked(unit, at, medium, forceUnitAccess);
                done += n;
            }
        } finally {
            lock.unlockExclusive(stamp);
        }
    }
}
