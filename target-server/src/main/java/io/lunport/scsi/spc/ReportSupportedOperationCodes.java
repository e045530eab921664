package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandEntry;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.CommandTable;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * REPORT SUPPORTED OPERATION CODES (SPC-4 6.35), generated from the {@link CommandTable}, so
 * that it lists exactly what the dispatcher runs. Timeouts descriptors (RCTD) say 0: no
 * nominal or recommended timeout is specified.
 */
public final class ReportSupportedOperationCodes implements CommandHandler {

    private static final int ALL = 0;
    private static final int ONE_WITHOUT_SERVICE_ACTION = 1;
    private static final int ONE_WITH_SERVICE_ACTION = 2;
    private static final int ONE_EITHER = 3;

    private static final int SUPPORTED = 0x03;
    private static final int NOT_SUPPORTED = 0x01;
    private static final int TIMEOUTS_DESCRIPTOR_LENGTH = 12;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        boolean rctd = Cdb.bit(cdb, 2, 7);
        int options = Cdb.u8(cdb, 2) & 0x07;
        int opcode = Cdb.u8(cdb, 3);
        int serviceAction = Cdb.u16(cdb, 4);
        long allocationLength = Cdb.u32(cdb, 6);
        CommandTable table = target.commands();
        byte[] data = switch (options) {
            case ALL -> all(table, rctd);
            case ONE_WITHOUT_SERVICE_ACTION, ONE_WITH_SERVICE_ACTION, ONE_EITHER ->
                    one(table, options, opcode, serviceAction, rctd);
            default -> throw ScsiException.invalidCdbField(2, 2);
        };
        ParameterData.send(task, data, allocationLength);
    }

    private static byte[] all(CommandTable table, boolean rctd) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[4]);
        for (CommandEntry e : table.entries()) {
            int sa = e.hasServiceAction() ? e.serviceAction() : 0;
            int flags = (rctd ? 0x02 : 0) | (e.hasServiceAction() ? 0x01 : 0); // CTDP, SERVACTV
            out.writeBytes(new byte[] {(byte) e.opcode(), 0, (byte) (sa >>> 8), (byte) sa, 0, (byte) flags,
                (byte) (e.cdbLength() >>> 8), (byte) e.cdbLength()});
            if (rctd) {
                out.writeBytes(timeoutsDescriptor());
            }
        }
        byte[] data = out.toByteArray();
        ByteBuffer.wrap(data).putInt(0, data.length - 4);
        return data;
    }

    private static byte[] one(CommandTable table, int options, int opcode, int serviceAction, boolean rctd)
            throws ScsiException {
        boolean hasActions = table.hasServiceActions(opcode);
        if (options == ONE_WITHOUT_SERVICE_ACTION && hasActions) {
            throw ScsiException.invalidCdbField(3, -1);
        }
        if (options == ONE_WITH_SERVICE_ACTION && table.knowsOpcode(opcode) && !hasActions) {
            throw ScsiException.invalidCdbField(3, -1);
        }
        CommandEntry e;
        if (hasActions) {
            e = serviceAction < 32 ? table.lookup(opcode, serviceAction) : null;
        } else {
            // Asking with a service action for a command that has none finds nothing.
            e = options == ONE_WITHOUT_SERVICE_ACTION || serviceAction == 0
                    ? table.lookup(opcode, CommandEntry.NO_SERVICE_ACTION) : null;
        }
        if (e == null) {
            return new byte[] {0, NOT_SUPPORTED, 0, 0};
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {0, (byte) ((rctd ? 0x80 : 0) | SUPPORTED),
            (byte) (e.cdbLength() >>> 8), (byte) e.cdbLength()});
        out.writeBytes(e.usageData());
        if (rctd) {
            out.writeBytes(timeoutsDescriptor());
        }
        return out.toByteArray();
    }

    private static byte[] timeoutsDescriptor() {
        byte[] d = new byte[TIMEOUTS_DESCRIPTOR_LENGTH];
        d[1] = TIMEOUTS_DESCRIPTOR_LENGTH - 2;
        return d;
    }
}
