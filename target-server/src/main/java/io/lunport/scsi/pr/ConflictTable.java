package io.lunport.scsi.pr;

import java.nio.ByteBuffer;

/**
 * Which commands a reservation blocks: the one table behind every RESERVATION CONFLICT,
 * condensed from SPC-4 table 65 and the matching SBC-3 table. Every command falls in one of
 * three columns patterns:
 *
 * <ul>
 *   <li>{@link Access#ALWAYS}: allowed from every I_T nexus under every type (INQUIRY, REPORT
 *       LUNS, REQUEST SENSE, TEST UNIT READY, READ CAPACITY, PERSISTENT RESERVE IN, ...).
 *       PERSISTENT RESERVE OUT and RESERVE/RELEASE are here too: table 66 and the SPC-2
 *       exceptions depend on keys and service action, so their handlers apply them.</li>
 *   <li>{@link Access#READ}: allowed under Write Exclusive types, blocked under Exclusive
 *       Access types for I_T nexuses without access (READ, VERIFY, MODE SENSE, ...).</li>
 *   <li>{@link Access#WRITE}: blocked for every I_T nexus without access (WRITE, MODE SELECT,
 *       UNMAP, SYNCHRONIZE CACHE, ...). Opcodes the table does not name are treated so: a
 *       command added later is safe by default.</li>
 * </ul>
 *
 * <p>An I_T nexus has access when it holds the reservation, or is registered under a
 * registrants only or all registrants type.
 *
 * <p>SPC-2 reservations (RESERVE(6)/(10)) block everything from other I_T nexuses except
 * {@link #allowedUnderSpc2Reservation the few commands SPC-2 lets through}.
 *
 * <p>Stateless and allocation-free: it runs for every command while a reservation exists.
 */
public final class ConflictTable {

    /** How a command fares under a persistent reservation it has no access to. */
    public enum Access { ALWAYS, READ, WRITE }

    private static final Access[] BY_OPCODE = new Access[256];

    static {
        java.util.Arrays.fill(BY_OPCODE, Access.WRITE);
        int[] always = {
            0x00, // TEST UNIT READY
            0x03, // REQUEST SENSE
            0x12, // INQUIRY
            0x16, 0x56, 0x17, 0x57, // RESERVE, RELEASE: SPC-2 rules in their handler
            0x25, // READ CAPACITY(10)
            0x4D, // LOG SENSE
            0x5E, // PERSISTENT RESERVE IN
            0x5F, // PERSISTENT RESERVE OUT: table 66 in its handler
            0xA0, // REPORT LUNS
        };
        int[] read = {
            0x08, 0x28, 0xA8, 0x88, // READ(6/10/12/16)
            0x2F, 0xAF, 0x8F, // VERIFY(10/12/16)
            0x1A, 0x5A, // MODE SENSE(6/10)
            0x34, 0x90, // PRE-FETCH(10/16)
            0x1C, // RECEIVE DIAGNOSTIC RESULTS
            0x37, 0xB7, // READ DEFECT DATA(10/12)
            0x3C, // READ BUFFER
            0x3E, // READ LONG(10)
            0x84, // RECEIVE COPY RESULTS
            0x8C, // READ ATTRIBUTE
        };
        for (int op : always) {
            BY_OPCODE[op] = Access.ALWAYS;
        }
        for (int op : read) {
            BY_OPCODE[op] = Access.READ;
        }
    }

    private static final int PREVENT_ALLOW_MEDIUM_REMOVAL = 0x1E;
    private static final int START_STOP_UNIT = 0x1B;
    private static final int SERVICE_ACTION_IN_16 = 0x9E;
    private static final int MAINTENANCE_IN = 0xA3;
    private static final int READ_MEDIA_SERIAL_NUMBER = 0xAB;

    private ConflictTable() {
    }

    /** The column pattern of the command in {@code cdb} (position 0, at least its opcode). */
    public static Access access(ByteBuffer cdb) {
        int opcode = cdb.get(0) & 0xFF;
        switch (opcode) {
            case PREVENT_ALLOW_MEDIUM_REMOVAL -> {
                // PREVENT field 0 (allow removal) is allowed everywhere; preventing is a write.
                return cdb.limit() > 4 && (cdb.get(4) & 0x03) == 0 ? Access.ALWAYS : Access.WRITE;
            }
            case START_STOP_UNIT -> {
                // START=1 with POWER CONDITION 0 is allowed everywhere; stopping is a write.
                return cdb.limit() > 4 && (cdb.get(4) & 0xF1) == 0x01 ? Access.ALWAYS : Access.WRITE;
            }
            case SERVICE_ACTION_IN_16 -> {
                int sa = serviceAction(cdb);
                // READ CAPACITY(16) always; GET LBA STATUS, READ LONG(16) and the rest read.
                return sa == 0x10 ? Access.ALWAYS : Access.READ;
            }
            case MAINTENANCE_IN -> {
                int sa = serviceAction(cdb);
                // REPORT TARGET PORT GROUPS (0Ah), REPORT IDENTIFYING INFORMATION (05h),
                // REPORT TIMESTAMP (0Fh), REPORT PRIORITY (0Eh), REPORT ALIASES (0Bh) always;
                // REPORT SUPPORTED OPERATION CODES and TASK MANAGEMENT FUNCTIONS read.
                return sa == 0x0A || sa == 0x05 || sa == 0x0F || sa == 0x0E || sa == 0x0B
                        ? Access.ALWAYS : Access.READ;
            }
            case READ_MEDIA_SERIAL_NUMBER -> {
                return Access.ALWAYS;
            }
            default -> {
                return BY_OPCODE[opcode];
            }
        }
    }

    /**
     * Whether an I_T nexus that does not hold an SPC-2 reservation may run the command
     * (SPC-2 5.5.1): INQUIRY, REQUEST SENSE, REPORT LUNS, RELEASE (which then does nothing),
     * PREVENT ALLOW MEDIUM REMOVAL allowing removal, and PERSISTENT RESERVE IN (read-only; a
     * cluster node probing the LU should see that nothing is registered). Everything else,
     * TEST UNIT READY and PERSISTENT RESERVE OUT included, conflicts.
     */
    public static boolean allowedUnderSpc2Reservation(ByteBuffer cdb) {
        int opcode = cdb.get(0) & 0xFF;
        return switch (opcode) {
            case 0x12, 0x03, 0xA0, 0x17, 0x57, 0x5E -> true;
            case PREVENT_ALLOW_MEDIUM_REMOVAL -> cdb.limit() > 4 && (cdb.get(4) & 0x03) == 0;
            default -> false;
        };
    }

    private static int serviceAction(ByteBuffer cdb) {
        return cdb.limit() > 1 ? cdb.get(1) & 0x1F : -1;
    }
}
