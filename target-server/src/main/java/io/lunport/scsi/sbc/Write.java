package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * WRITE(6/10/12/16) (SBC-3 5.32-5.35). Writes straight from the transport's data-out buffer;
 * a short data-out writes the complete blocks received ({@link BlockAccess#blocksToWrite}).
 * A write that completes is reported to the LU's {@link io.lunport.scsi.LunStatistics}.
 */
public final class Write implements CommandHandler {

    private final BlockCdbLayout layout;

    public Write(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        long start = System.nanoTime();
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        ByteBuffer out = BlockAccess.blocksToWrite(task, layout, unit, lba, layout.transferLength(cdb));
        if (out != null) {
            int bytes = out.remaining();
            BlockAccess.write(unit, lba, out, BlockAccess.forceUnitAccess(cdb, layout, unit));
            unit.statistics().written(bytes, System.nanoTime() - start);
        }
    }
}
