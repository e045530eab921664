package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * iSCSI TransportIDs (SPC-4 7.6.4.6): protocol identifier 5h, format 01b carrying the
 * initiator port name "iSCSI name,i,0x" + ISID in hex, null-terminated and padded to a
 * multiple of four bytes, at least 24 bytes in all.
 */
public final class TransportId {

    static final int PROTOCOL_ISCSI = 0x5;
    static final int FORMAT_DEVICE_NAME = 0x0;
    static final int FORMAT_PORT_NAME = 0x1;
    private static final String SEPARATOR = ",i,0x";
    private static final int ISID_DIGITS = 12;
    private static final int MIN_ADDITIONAL_LENGTH = 20;

    private TransportId() {
    }

    /** The TransportID of the nexus' initiator port (format 01b). */
    public static byte[] encode(ItNexus nexus) {
        byte[] name = (nexus.initiatorName() + SEPARATOR
                + String.format(Locale.ROOT, "%012x", nexus.isid())).getBytes(StandardCharsets.UTF_8);
        int additional = Math.max(MIN_ADDITIONAL_LENGTH, (name.length + 1 + 3) & ~3); // with the NUL
        byte[] id = new byte[4 + additional];
        id[0] = (byte) (FORMAT_PORT_NAME << 6 | PROTOCOL_ISCSI);
        id[2] = (byte) (additional >>> 8);
        id[3] = (byte) additional;
        System.arraycopy(name, 0, id, 4, name.length);
        return id;
    }

    /** An initiator port decoded from a TransportID: name and ISID. */
    public record InitiatorPort(String name, long isid) {
    }

    /**
     * Decodes the TransportID at {@code offset} of {@code data}, which holds {@code length}
     * bytes of it. Only format 01b names a port; format 00b names a whole initiator device and
     * is refused, as are other protocols.
     *
     * @throws IllegalArgumentException with the offset of the faulty byte as its message
     */
    public static InitiatorPort decode(ByteBuffer data, int offset, int length) {
        if (length < 4 + MIN_ADDITIONAL_LENGTH) {
            throw new IllegalArgumentException(Integer.toString(offset));
        }
        int first = data.get(offset) & 0xFF;
        if ((first & 0x0F) != PROTOCOL_ISCSI || (first >>> 6) != FORMAT_PORT_NAME) {
            throw new IllegalArgumentException(Integer.toString(offset));
        }
        int additional = data.getShort(offset + 2) & 0xFFFF;
        if (additional < MIN_ADDITIONAL_LENGTH || additional % 4 != 0 || 4 + additional > length) {
            throw new IllegalArgumentException(Integer.toString(offset + 2));
        }
        int end = offset + 4;
        while (end < offset + 4 + additional && data.get(end) != 0) {
            end++;
        }
        if (end == offset + 4 + additional) {
            throw new IllegalArgumentException(Integer.toString(offset + 4)); // not NUL-terminated
        }
        byte[] text = new byte[end - offset - 4];
        data.get(offset + 4, text);
        String port = new String(text, StandardCharsets.UTF_8);
        int sep = port.toLowerCase(Locale.ROOT).lastIndexOf(SEPARATOR);
        if (sep <= 0 || port.length() - sep - SEPARATOR.length() != ISID_DIGITS) {
            throw new IllegalArgumentException(Integer.toString(offset + 4));
        }
        try {
            long isid = Long.parseUnsignedLong(port.substring(sep + SEPARATOR.length()), 16);
            return new InitiatorPort(port.substring(0, sep), isid);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(Integer.toString(offset + 4));
        }
    }
}
