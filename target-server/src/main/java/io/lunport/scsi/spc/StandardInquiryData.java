package io.lunport.scsi.spc;

import java.nio.charset.StandardCharsets;

/** The standard INQUIRY data (SPC-4 6.6.2): the same 96 bytes for every lunport LU. */
final class StandardInquiryData {

    static final String VENDOR = "LUNPORT ";
    static final String PRODUCT = "VIRTUAL DISK    ";
    static final String REVISION = "0001";

    /** Peripheral qualifier 011b, type 1Fh: no logical unit can exist at this LUN. */
    private static final int ABSENT_LU = 0x7F;
    private static final int LENGTH = 96;

    /**
     * Version descriptors (SPC-4 Table 44): SAM-5, iSCSI, SPC-4, SBC-3. libiscsi reads the
     * SBC-3 one to decide which block limits page length to expect.
     */
    private static final int[] VERSION_DESCRIPTORS = {0x00A0, 0x0960, 0x0460, 0x04C0};

    private static final byte[] PRESENT = build(0x00);
    private static final byte[] ABSENT = build(ABSENT_LU);

    private StandardInquiryData() {
    }

    /** Shared, never written: callers copy out of it. */
    static byte[] of(boolean present) {
        return present ? PRESENT : ABSENT;
    }

    private static byte[] build(int peripheral) {
        byte[] d = new byte[LENGTH];
        d[0] = (byte) peripheral;
        d[1] = 0; // RMB 0: a fixed disk
        d[2] = 0x06; // SPC-4
        d[3] = 0x12; // HISUP, response data format 2
        d[4] = (byte) (LENGTH - 5);
        d[5] = 0x10; // TPGS 01b: implicit ALUA only (REPORT TARGET PORT GROUPS, no SET)
        d[6] = 0x10; // MULTIP: the LU is reachable through several target ports (one per portal)
        d[7] = 0x02; // CMDQUE
        ascii(d, 8, VENDOR);
        ascii(d, 16, PRODUCT);
        ascii(d, 32, REVISION);
        for (int i = 0; i < VERSION_DESCRIPTORS.length; i++) {
            d[58 + 2 * i] = (byte) (VERSION_DESCRIPTORS[i] >>> 8);
            d[59 + 2 * i] = (byte) VERSION_DESCRIPTORS[i];
        }
        return d;
    }

    static void ascii(byte[] dst, int offset, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(bytes, 0, dst, offset, bytes.length);
    }
}
