package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * READ(6/10/12/16) (SBC-3 5.11-5.14). Reads straight into the transport's data-in buffer;
 * when the initiator expects less than the CDB asks for, only that much is read and the
 * transport reports the residual. DPO and FUA need nothing: there is no read cache to bypass.
 * A read that completes is reported to the LU's {@link io.lunport.scsi.LunStatistics}.
 */
public final class Read implements CommandHandler {

    private final BlockCdbLayout layout;

    public Read(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        long start = System.nanoTime();
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        BlockAccess.validate(cdb, layout, unit, lba, blocks);
        if (blocks == 0) {
            return;
        }
        ByteBuffer in = task.dataIn((int) (blocks << unit.blockShift()));
        BlockAccess.read(unit, lba, in);
        in.position(0);
        unit.statistics().read(in.limit(), System.nanoTime() - start);
    }
}
