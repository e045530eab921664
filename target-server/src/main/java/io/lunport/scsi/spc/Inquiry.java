package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/** INQUIRY (SPC-4 6.6): standard data, also for an absent LUN, and the VPD pages. */
public final class Inquiry implements CommandHandler {

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        boolean evpd = Cdb.bit(cdb, 1, 0);
        if (Cdb.bit(cdb, 1, 1)) {
            throw ScsiException.invalidCdbField(1, 1); // CMDDT is obsolete
        }
        int pageCode = Cdb.u8(cdb, 2);
        int allocationLength = Cdb.u16(cdb, 3);
        if (!evpd) {
            if (pageCode != 0) {
                throw ScsiException.invalidCdbField(2, -1);
            }
            ParameterData.send(task, StandardInquiryData.of(unit != null), allocationLength);
            return;
        }
        if (unit == null) {
            throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_LOGICAL_UNIT_NOT_SUPPORTED, 0);
        }
        if (!VitalProductData.isSupported(pageCode)) {
            throw ScsiException.invalidCdbField(2, -1);
        }
        ParameterData.send(task, VitalProductData.page(pageCode, unit, task.nexus()), allocationLength);
    }
}
