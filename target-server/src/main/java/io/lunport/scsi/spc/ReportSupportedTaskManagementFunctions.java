package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * REPORT SUPPORTED TASK MANAGEMENT FUNCTIONS (SPC-4 6.36): what the iSCSI transport really
 * implements, ABORT TASK, ABORT TASK SET, LOGICAL UNIT RESET and TARGET (WARM) RESET.
 */
public final class ReportSupportedTaskManagementFunctions implements CommandHandler {

    private static final int ATS = 0x80;
    private static final int ATSS = 0x40;
    private static final int LURS = 0x08;
    private static final int TRS = 0x02;
    private static final int MIN_ALLOCATION_LENGTH = 4;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        boolean extended = Cdb.bit(cdb, 2, 7); // REPD
        long allocationLength = Cdb.u32(cdb, 6);
        if (allocationLength < MIN_ALLOCATION_LENGTH) {
            throw ScsiException.invalidCdbField(6, -1);
        }
        byte[] data = new byte[extended ? 16 : 4];
        data[0] = (byte) (ATS | ATSS | LURS | TRS);
        if (extended) {
            data[3] = 0x0C; // additional data length
        }
        ParameterData.send(task, data, allocationLength);
    }
}
