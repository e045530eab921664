package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * REQUEST SENSE (SPC-4 6.39). Sense of a failed command travels with its CHECK CONDITION
 * (autosense), so nothing is left to report except a pending unit attention, which this
 * consumes, or for an absent LUN, LOGICAL UNIT NOT SUPPORTED (with GOOD status, as SPC says).
 */
public final class RequestSense implements CommandHandler {

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) {
        ByteBuffer cdb = task.cdb();
        boolean descriptorFormat = Cdb.bit(cdb, 1, 0);
        int allocationLength = Cdb.u8(cdb, 4);
        byte[] sense;
        if (unit == null) {
            sense = SenseData.of(SenseData.ILLEGAL_REQUEST, SenseData.ASC_LOGICAL_UNIT_NOT_SUPPORTED, 0);
        } else {
            byte[] attention = unit.unitAttentions().take(task.nexus());
            sense = attention != null ? attention : SenseData.of(SenseData.NO_SENSE, 0, 0);
        }
        if (descriptorFormat) {
            sense = SenseData.toDescriptorFormat(sense);
        }
        ParameterData.send(task, sense, allocationLength);
    }
}
