package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;

/**
 * PREVENT ALLOW MEDIUM REMOVAL (SPC-4 6.13). The medium cannot be removed anyway, so prevent
 * 00b and 01b are accepted and do nothing; 10b and 11b belong to medium changers.
 */
public final class PreventAllowMediumRemoval implements CommandHandler {

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        if ((task.cdb().get(4) & 0x02) != 0) {
            throw ScsiException.invalidCdbField(4, 1);
        }
    }
}
