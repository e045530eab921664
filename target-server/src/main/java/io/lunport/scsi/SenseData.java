package io.lunport.scsi;

/**
 * Fixed-format sense data (SPC-4 4.5.3), 18 bytes, and the conditions lunport reports.
 * Sense is built only on the error path, so it may allocate.
 */
public final class SenseData {

    public static final int NO_SENSE = 0x0;
    public static final int RECOVERED_ERROR = 0x1;
    public static final int NOT_READY = 0x2;
    public static final int MEDIUM_ERROR = 0x3;
    public static final int HARDWARE_ERROR = 0x4;
    public static final int ILLEGAL_REQUEST = 0x5;
    public static final int UNIT_ATTENTION = 0x6;
    public static final int DATA_PROTECT = 0x7;
    public static final int ABORTED_COMMAND = 0xB;
    public static final int MISCOMPARE = 0xE;

    static final int LENGTH = 18;

    private SenseData() {
    }

    /** Sense key, additional sense code and qualifier; no information, no field pointer. */
    public static byte[] of(int key, int asc, int ascq) {
        byte[] sense = new byte[LENGTH];
        sense[0] = 0x70; // current error, fixed format
        sense[2] = (byte) (key & 0x0F);
        sense[7] = LENGTH - 8; // additional sense length
        sense[12] = (byte) asc;
        sense[13] = (byte) ascq;
        return sense;
    }

    /** With the INFORMATION field set (VALID bit), e.g. the failing LBA of a medium error. */
    public static byte[] withInformation(int key, int asc, int ascq, long information) {
        byte[] sense = of(key, asc, ascq);
        sense[0] |= (byte) 0x80;
        sense[3] = (byte) (information >>> 24);
        sense[4] = (byte) (information >>> 16);
        sense[5] = (byte) (information >>> 8);
        sense[6] = (byte) information;
        return sense;
    }

    /**
     * With a sense-key specific field pointer (SKSV): which CDB (or parameter list) byte and,
     * when {@code bit >= 0}, which bit is wrong.
     */
    public static byte[] withFieldPointer(int key, int asc, int ascq, boolean inCdb, int byteIndex, int bit) {
        byte[] sense = of(key, asc, ascq);
        int flags = 0x80; // SKSV
        if (inCdb) {
            flags |= 0x40; // C/D: the error is in the CDB
        }
        if (bit >= 0) {
            flags |= 0x08 | (bit & 0x07); // BPV and bit pointer
        }
        sense[15] = (byte) flags;
        sense[16] = (byte) (byteIndex >>> 8);
        sense[17] = (byte) byteIndex;
        return sense;
    }

    public static int senseKey(byte[] sense) {
        return sense.length > 2 ? sense[2] & 0x0F : NO_SENSE;
    }

    public static int asc(byte[] sense) {
        return sense.length > 12 ? sense[12] & 0xFF : 0;
    }

    public static int ascq(byte[] sense) {
        return sense.length > 13 ? sense[13] & 0xFF : 0;
    }

    /** "key 0x5 asc 0x24 ascq 0x00", for logs and test failures. */
    public static String describe(byte[] sense) {
        return String.format("key 0x%x asc 0x%02x ascq 0x%02x", senseKey(sense), asc(sense), ascq(sense));
    }
}
