package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * SYNCHRONIZE CACHE(10) and (16) (SBC-3 5.18, 5.19). The device can only flush everything, so
 * the range is checked and then the whole device is flushed. IMMED is honoured by finishing
 * before the status anyway, which SBC allows.
 */
public final class SynchronizeCache implements CommandHandler {

    private final BlockCdbLayout layout;

    public SynchronizeCache(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        // NUMBER OF LOGICAL BLOCKS 0 means "to the end of the medium".
        BlockAccess.checkRange(unit, lba, blocks);
        try {
            unit.device().flush();
        } catch (IOException e) {
            throw BlockAccess.mediumError(unit, SenseData.ASC_WRITE_ERROR, lba, e);
        }
    }
}
