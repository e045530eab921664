package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * PERSISTENT RESERVE OUT (SPC-4 6.16): decodes the CDB and the parameter list and hands the
 * service action to the LU's {@link Reservations}. One row of the command table per service
 * action.
 *
 * <p>SPEC_I_PT is not supported (SIP_C = 0): a list that sets it is refused with INVALID FIELD
 * IN PARAMETER LIST pointing at byte 20 bit 3. APTPL is refused the same way (byte 20 bit 0)
 * for a LU that has no reservation file.
 */
public final class PersistentReserveOut implements CommandHandler {

    public static final int REGISTER = 0x00;
    public static final int RESERVE = 0x01;
    public static final int RELEASE = 0x02;
    public static final int CLEAR = 0x03;
    public static final int PREEMPT = 0x04;
    public static final int PREEMPT_AND_ABORT = 0x05;
    public static final int REGISTER_AND_IGNORE_EXISTING_KEY = 0x06;
    public static final int REGISTER_AND_MOVE = 0x07;

    private static final int BASIC_LIST_LENGTH = 24;
    private static final int FLAGS = 20;
    private static final int SPEC_I_PT = 3;
    private static final int ALL_TG_PT = 2;
    private static final int APTPL = 0;
    /** Far more than any iSCSI TransportID (names are at most 223 bytes). */
    private static final int MAX_MOVE_LIST_LENGTH = 4096;
    private static final int LU_SCOPE = 0;

    private final int serviceAction;

    public PersistentReserveOut(int serviceAction) {
        this.serviceAction = serviceAction;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int scope = Cdb.u8(cdb, 2) >>> 4;
        int typeCode = Cdb.u8(cdb, 2) & 0x0F;
        long listLength = Cdb.u32(cdb, 5);
        Reservations reservations = unit.reservations();
        ItNexus nexus = task.nexus();
        if (serviceAction == REGISTER_AND_MOVE) {
            registerAndMove(task, reservations, nexus, listLength);
            return;
        }
        if (listLength < BASIC_LIST_LENGTH) {
            throw PrSense.parameterListLengthError();
        }
        ByteBuffer p = task.dataOut(BASIC_LIST_LENGTH);
        if (p.limit() < BASIC_LIST_LENGTH) {
            throw PrSense.parameterListLengthError();
        }
        if (Cdb.bit(p, FLAGS, SPEC_I_PT)) {
            throw ScsiException.invalidParameterField(FLAGS, SPEC_I_PT);
        }
        if (listLength != BASIC_LIST_LENGTH) {
            throw PrSense.parameterListLengthError();
        }
        long reservationKey = Cdb.u64(p, 0);
        long serviceActionKey = Cdb.u64(p, 8);
        boolean allTargetPorts = Cdb.bit(p, FLAGS, ALL_TG_PT);
        boolean aptpl = Cdb.bit(p, FLAGS, APTPL);
        switch (serviceAction) {
            case REGISTER, REGISTER_AND_IGNORE_EXISTING_KEY -> {
                if (aptpl && !reservations.persistenceCapable()) {
                    throw ScsiException.invalidParameterField(FLAGS, APTPL);
                }
                reservations.register(nexus, reservationKey, serviceActionKey,
                        serviceAction == REGISTER_AND_IGNORE_EXISTING_KEY, allTargetPorts, aptpl);
            }
            case RESERVE -> reservations.reserve(nexus, reservationKey, type(scope, typeCode));
            case RELEASE -> reservations.release(nexus, reservationKey, scope, typeCode);
            case CLEAR -> reservations.clear(nexus, reservationKey);
            case PREEMPT -> reservations.preempt(nexus, reservationKey, serviceActionKey, type(scope, typeCode));
            case PREEMPT_AND_ABORT -> {
                List<Registration> preempted = reservations.preempt(nexus, reservationKey, serviceActionKey,
                        type(scope, typeCode));
                if (!preempted.isEmpty()) {
                    target.taskAborter().abortTasks(task.lun(), n -> preempted.stream().anyMatch(r -> r.covers(n)));
                }
            }
            default -> throw ScsiException.invalidCdbField(1, 4);
        }
    }

    /** SCOPE must be LU_SCOPE and TYPE one of SPC-4's six, else INVALID FIELD IN CDB. */
    private static PrType type(int scope, int typeCode) throws ScsiException {
        if (scope != LU_SCOPE) {
            throw ScsiException.invalidCdbField(2, 7);
        }
        PrType type = PrType.of(typeCode);
        if (type == null) {
            throw ScsiException.invalidCdbField(2, 3);
        }
        return type;
    }

    /**
     * REGISTER AND MOVE's own list (SPC-4 6.16.4): keys, UNREG and APTPL in byte 17, the
     * relative target port identifier (lunport's portal group tag) in 18..19, and the
     * destination's TransportID after the length in 20..23.
     */
    private static void registerAndMove(ScsiTask task, Reservations reservations, ItNexus nexus, long listLength)
            throws ScsiException {
        if (listLength < BASIC_LIST_LENGTH || listLength > MAX_MOVE_LIST_LENGTH) {
            throw PrSense.parameterListLengthError();
        }
        ByteBuffer p = task.dataOut((int) listLength);
        if (p.limit() < listLength) {
            throw PrSense.parameterListLengthError();
        }
        long reservationKey = Cdb.u64(p, 0);
        long serviceActionKey = Cdb.u64(p, 8);
        boolean unregister = Cdb.bit(p, 17, 1);
        boolean aptpl = Cdb.bit(p, 17, 0);
        int relativeTargetPort = Cdb.u16(p, 18);
        long transportIdLength = Cdb.u32(p, 20);
        if (BASIC_LIST_LENGTH + transportIdLength > listLength) {
            throw PrSense.parameterListLengthError();
        }
        if (aptpl && !reservations.persistenceCapable()) {
            throw ScsiException.invalidParameterField(17, 0);
        }
        if (relativeTargetPort == 0) {
            throw ScsiException.invalidParameterField(18, -1);
        }
        TransportId.InitiatorPort port;
        try {
            port = TransportId.decode(p, BASIC_LIST_LENGTH, (int) transportIdLength);
        } catch (IllegalArgumentException e) {
            throw ScsiException.invalidParameterField(Integer.parseInt(e.getMessage()), -1);
        }
        ItNexus destination = new ItNexus(port.name(), port.isid(), nexus.targetName(), relativeTargetPort);
        reservations.registerAndMove(nexus, reservationKey, serviceActionKey, destination, unregister, aptpl,
                BASIC_LIST_LENGTH);
    }
}
