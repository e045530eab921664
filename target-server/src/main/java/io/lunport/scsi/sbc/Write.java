package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * WRITE(6/10/12/16) (SBC-3 5.32-5.35). Writes straight from the transport's data-out buffer.
 *
 * <p>When the initiator sent less than the CDB announced, only the complete blocks received are
 * written and the command still ends GOOD: the transport reports the residual, and libiscsi's
 * residual tests expect exactly the blocks covered by the expected transfer length to change.
 */
public final class Write implements CommandHandler {

    private final BlockCdbLayout layout;

    public Write(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        BlockAccess.validate(cdb, layout, unit, lba, blocks);
        BlockAccess.checkWritable(unit);
        if (blocks == 0) {
            return;
        }
        ByteBuffer out = task.dataOut((int) (blocks << unit.blockShift()));
        int complete = out.limit() & -unit.logicalBlockSize();
        if (complete == 0) {
            return;
        }
        out.position(0).limit(complete);
        BlockAccess.write(unit, lba, out, BlockAccess.forceUnitAccess(cdb, layout, unit));
    }
}
