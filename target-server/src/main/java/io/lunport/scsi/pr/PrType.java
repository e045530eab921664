package io.lunport.scsi.pr;

/**
 * The persistent reservation types of SPC-4 6.16.3.4 (table 212), with the two properties that
 * decide access: whether registered I_T nexuses share the access of the holder (registrants
 * only and all registrants types), and whether reads are blocked too (exclusive access).
 */
public enum PrType {
    WRITE_EXCLUSIVE(0x1, 0x0200),
    EXCLUSIVE_ACCESS(0x3, 0x0800),
    WRITE_EXCLUSIVE_REGISTRANTS_ONLY(0x5, 0x2000),
    EXCLUSIVE_ACCESS_REGISTRANTS_ONLY(0x6, 0x4000),
    WRITE_EXCLUSIVE_ALL_REGISTRANTS(0x7, 0x8000),
    EXCLUSIVE_ACCESS_ALL_REGISTRANTS(0x8, 0x0001);

    /** Every type: the PERSISTENT RESERVATION TYPE MASK of REPORT CAPABILITIES (bytes 4..5). */
    public static final int ALL_TYPES_MASK = 0xEA01;

    private final int code;
    private final int maskBit;

    PrType(int code, int maskBit) {
        this.code = code;
        this.maskBit = maskBit;
    }

    public int code() {
        return code;
    }

    /** This type's bit in the 16-bit type mask (byte 4 is the high byte). */
    public int maskBit() {
        return maskBit;
    }

    /** The TYPE field value, or null for a value SPC-4 does not define. */
    public static PrType of(int code) {
        for (PrType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return null;
    }

    /** Every registered I_T nexus is a reservation holder (SPC-4 5.13.10). */
    public boolean allRegistrants() {
        return this == WRITE_EXCLUSIVE_ALL_REGISTRANTS || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }

    public boolean registrantsOnly() {
        return this == WRITE_EXCLUSIVE_REGISTRANTS_ONLY || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY;
    }

    /** Registered I_T nexuses have the holder's access ("RR" in SPC-4 table 65). */
    public boolean registrantsShareAccess() {
        return registrantsOnly() || allRegistrants();
    }

    /** Reads are blocked for those without access, not only writes. */
    public boolean exclusiveAccess() {
        return this == EXCLUSIVE_ACCESS || this == EXCLUSIVE_ACCESS_REGISTRANTS_ONLY
                || this == EXCLUSIVE_ACCESS_ALL_REGISTRANTS;
    }
}
