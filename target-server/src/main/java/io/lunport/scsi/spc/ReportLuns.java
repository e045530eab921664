package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;
import java.util.List;

/** REPORT LUNS (SPC-4 6.33); served through any LUN, present or not. */
public final class ReportLuns implements CommandHandler {

    private static final int SELECT_ALL = 0x00;
    private static final int SELECT_WELL_KNOWN = 0x01;
    private static final int SELECT_ALL_LOGICAL_UNITS = 0x02;
    private static final int MIN_ALLOCATION_LENGTH = 16;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int select = Cdb.u8(cdb, 2);
        long allocationLength = Cdb.u32(cdb, 6);
        if (select != SELECT_ALL && select != SELECT_WELL_KNOWN && select != SELECT_ALL_LOGICAL_UNITS) {
            throw ScsiException.invalidCdbField(2, -1);
        }
        if (allocationLength < MIN_ALLOCATION_LENGTH) {
            throw ScsiException.invalidCdbField(6, -1);
        }
        // lunport has no well-known logical units.
        List<Integer> luns = select == SELECT_WELL_KNOWN ? List.of() : target.sortedLuns();
        byte[] d = new byte[8 + 8 * luns.size()];
        ByteBuffer b = ByteBuffer.wrap(d);
        b.putInt(0, 8 * luns.size());
        for (int i = 0; i < luns.size(); i++) {
            b.putShort(8 + 8 * i, (short) encodeLun(luns.get(i)));
        }
        ParameterData.send(task, d, allocationLength);
    }

    /**
     * The first level of a LUN as iSCSI initiators expect it (SAM-5 4.7): peripheral device
     * addressing (00b) below 256, flat space addressing (01b) above.
     */
    static int encodeLun(int lun) {
        return lun < 256 ? lun : 0x4000 | (lun & 0x3FFF);
    }
}
