package io.lunport.scsi.command;

/**
 * One row of the {@link CommandTable}.
 *
 * @param serviceAction the service action, or {@link #NO_SERVICE_ACTION}
 * @param usageData     the CDB usage data of REPORT SUPPORTED OPERATION CODES: byte 0 is the
 *                      opcode, every other bit set is a bit the handler decodes; its length is
 *                      the CDB length, and its last byte covers the CONTROL byte
 * @param servesAbsentLun the command runs for a LUN with no logical unit (INQUIRY, REPORT LUNS,
 *                      REQUEST SENSE) and is never answered with a pending unit attention
 */
public record CommandEntry(int opcode, int serviceAction, byte[] usageData, boolean servesAbsentLun,
        CommandHandler handler) {

    public static final int NO_SERVICE_ACTION = -1;

    public CommandEntry {
        if ((usageData[0] & 0xFF) != opcode) {
            throw new IllegalArgumentException("usage data must start with the opcode");
        }
        usageData = usageData.clone();
    }

    public int cdbLength() {
        return usageData.length;
    }

    public boolean hasServiceAction() {
        return serviceAction != NO_SERVICE_ACTION;
    }

    /** A copy of the usage data. */
    public byte[] usageData() {
        return usageData.clone();
    }

    /** Usage data from hex digits ("28 fa ff ..."), so that the table reads like SPC's tables. */
    public static byte[] usage(String hex) {
        String[] parts = hex.trim().split("\\s+");
        byte[] bytes = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) {
            bytes[i] = (byte) Integer.parseInt(parts[i], 16);
        }
        return bytes;
    }
}
