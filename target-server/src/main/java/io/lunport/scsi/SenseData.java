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
    public static final int COPY_ABORTED = 0xA;
    public static final int ABORTED_COMMAND = 0xB;
    public static final int MISCOMPARE = 0xE;

    /** Additional sense codes lunport reports (SPC-4 Table D.1); the qualifier is 00h unless named. */
    public static final int ASC_WRITE_ERROR = 0x0C;
    public static final int ASC_UNRECOVERED_READ_ERROR = 0x11;
    public static final int ASC_PARAMETER_LIST_LENGTH_ERROR = 0x1A;
    public static final int ASC_MISCOMPARE_DURING_VERIFY = 0x1D;
    public static final int ASC_INVALID_COMMAND_OPERATION_CODE = 0x20;
    public static final int ASC_LBA_OUT_OF_RANGE = 0x21;
    public static final int ASC_INVALID_FIELD_IN_CDB = 0x24;
    public static final int ASC_LOGICAL_UNIT_NOT_SUPPORTED = 0x25;
    public static final int ASC_INVALID_FIELD_IN_PARAMETER_LIST = 0x26;
    public static final int ASC_WRITE_PROTECTED = 0x27;
    /** With ASC 27h: SPACE ALLOCATION FAILED WRITE PROTECT (a thin LU out of backing space). */
    public static final int ASCQ_SPACE_ALLOCATION_FAILED = 0x07;
    /** With ASCQ 03h: BUS DEVICE RESET FUNCTION OCCURRED. */
    public static final int ASC_RESET_OCCURRED = 0x29;
    public static final int ASCQ_BUS_DEVICE_RESET_FUNCTION = 0x03;
    /** With ASCQ 01h: MODE PARAMETERS CHANGED. */
    public static final int ASC_PARAMETERS_CHANGED = 0x2A;
    public static final int ASCQ_MODE_PARAMETERS_CHANGED = 0x01;
    public static final int ASC_SAVING_PARAMETERS_NOT_SUPPORTED = 0x39;
    public static final int ASC_INTERNAL_TARGET_FAILURE = 0x44;
    /** 3Fh/0Eh REPORTED LUNS DATA HAS CHANGED (SPC-4 annex F): a LUN was added or removed. */
    public static final int ASC_REPORTED_LUNS_DATA_CHANGED = 0x3F;
    public static final int ASCQ_REPORTED_LUNS_DATA_CHANGED = 0x0E;

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

    /**
     * The same condition in descriptor format (SPC-4 4.5.2), for REQUEST SENSE with DESC set:
     * key, ASC and ASCQ move to bytes 1..3; INFORMATION becomes an information descriptor.
     */
    public static byte[] toDescriptorFormat(byte[] fixed) {
        boolean hasInformation = (fixed[0] & 0x80) != 0;
        byte[] sense = new byte[hasInformation ? 20 : 8];
        sense[0] = 0x72;
        sense[1] = (byte) senseKey(fixed);
        sense[2] = (byte) asc(fixed);
        sense[3] = (byte) ascq(fixed);
        if (hasInformation) {
            sense[7] = 12;
            sense[8] = 0x00; // information descriptor
            sense[9] = 0x0A;
            sense[10] = (byte) 0x80; // VALID
            System.arraycopy(fixed, 3, sense, 16, 4);
        }
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
