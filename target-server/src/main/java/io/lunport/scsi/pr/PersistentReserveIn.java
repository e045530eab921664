package io.lunport.scsi.pr;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/**
 * PERSISTENT RESERVE IN (SPC-4 6.15): READ KEYS, READ RESERVATION, REPORT CAPABILITIES and
 * READ FULL STATUS, each a row of the command table, so that another service action is
 * refused by the dispatcher with INVALID FIELD IN CDB pointing at the SERVICE ACTION field.
 * The reply is built from one snapshot of the state, truncated to the allocation length
 * without changing its length fields.
 */
public final class PersistentReserveIn implements CommandHandler {

    public static final int READ_KEYS = 0x00;
    public static final int READ_RESERVATION = 0x01;
    public static final int REPORT_CAPABILITIES = 0x02;
    public static final int READ_FULL_STATUS = 0x03;

    /** REPORT CAPABILITIES byte 2: CRH (the SPC-4 5.13.3 exceptions), ATP_C, PTPL_C. SIP_C is 0. */
    private static final int CRH = 0x10;
    private static final int ATP_C = 0x04;
    private static final int PTPL_C = 0x01;
    /**
     * Byte 3: TMV (the type mask is valid) and ALLOW COMMANDS 001b: TEST UNIT READY is
     * allowed through Write Exclusive and Exclusive Access reservations; no claim for other
     * commands. PTPL_A is bit 0.
     */
    private static final int TMV_ALLOW_COMMANDS = 0x80 | 0x10;
    private static final int PTPL_A = 0x01;

    private final int serviceAction;

    public PersistentReserveIn(int serviceAction) {
        this.serviceAction = serviceAction;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int allocationLength = Cdb.u16(cdb, 7);
        Reservations reservations = unit.reservations();
        PrState s = reservations.state();
        byte[] data = switch (serviceAction) {
            case READ_KEYS -> readKeys(s);
            case READ_RESERVATION -> readReservation(s);
            case REPORT_CAPABILITIES -> reportCapabilities(reservations.persistenceCapable(), s.aptpl());
            case READ_FULL_STATUS -> readFullStatus(s);
            default -> throw ScsiException.invalidCdbField(1, 4);
        };
        ParameterData.send(task, data, allocationLength);
    }

    static byte[] readKeys(PrState s) {
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.registrations().size());
        b.putInt(s.generation()).putInt(8 * s.registrations().size());
        for (Registration r : s.registrations()) {
            b.putLong(r.key());
        }
        return b.array();
    }

    static byte[] readReservation(PrState s) {
        if (!s.reserved()) {
            return ByteBuffer.allocate(8).putInt(s.generation()).putInt(0).array();
        }
        ByteBuffer b = ByteBuffer.allocate(24);
        b.putInt(s.generation()).putInt(16);
        // All registrants types: the key is zero (SPC-4 6.15.3.2).
        Registration holder = s.holderRegistration();
        b.putLong(holder == null ? 0 : holder.key());
        b.putInt(0); // obsolete
        b.put((byte) 0);
        b.put((byte) s.type().code()); // SCOPE 0h (LU_SCOPE) in the high nibble
        b.putShort((short) 0); // obsolete
        return b.array();
    }

    static byte[] reportCapabilities(boolean persistenceCapable, boolean aptpl) {
        ByteBuffer b = ByteBuffer.allocate(8);
        b.putShort((short) 8);
        b.put((byte) (CRH | ATP_C | (persistenceCapable ? PTPL_C : 0)));
        b.put((byte) (TMV_ALLOW_COMMANDS | (aptpl ? PTPL_A : 0)));
        b.putShort((short) PrType.ALL_TYPES_MASK);
        b.putShort((short) 0);
        return b.array();
    }

    /** One descriptor per registration, with the initiator port as an iSCSI TransportID. */
    static byte[] readFullStatus(PrState s) {
        ByteArrayOutputStream descriptors = new ByteArrayOutputStream();
        for (Registration r : s.registrations()) {
            byte[] transportId = TransportId.encode(r.nexus());
            ByteBuffer d = ByteBuffer.allocate(24 + transportId.length);
            d.putLong(r.key());
            d.putInt(0);
            boolean holder = s.reserved() && (s.type().allRegistrants() || r.covers(s.holder()));
            d.put((byte) ((r.allTargetPorts() ? 0x02 : 0) | (holder ? 0x01 : 0)));
            d.put((byte) (holder ? s.type().code() : 0));
            d.putInt(0);
            // The relative target port identifier is the portal group tag; meaningless with ALL_TG_PT.
            d.putShort((short) (r.allTargetPorts() ? 0 : r.nexus().portalGroupTag()));
            d.putInt(transportId.length);
            d.put(transportId);
            descriptors.writeBytes(d.array());
        }
        byte[] list = descriptors.toByteArray();
        ByteBuffer b = ByteBuffer.allocate(8 + list.length);
        b.putInt(s.generation()).putInt(list.length).put(list);
        return b.array();
    }
}
