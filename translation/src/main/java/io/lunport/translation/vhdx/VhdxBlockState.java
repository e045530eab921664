package io.lunport.translation.vhdx;

/** The state bits (0-2) of a BAT entry. Payload and sector-bitmap entries share the codes. */
public enum VhdxBlockState {
    NOT_PRESENT(0),
    UNDEFINED(1),
    ZERO(2),
    UNMAPPED(3),
    FULLY_PRESENT(6),
    PARTIALLY_PRESENT(7);

    /** A sector-bitmap entry's SB_BLOCK_PRESENT has the code of FULLY_PRESENT. */
    public static final VhdxBlockState SB_PRESENT = FULLY_PRESENT;

    private static final VhdxBlockState[] BY_CODE = new VhdxBlockState[8];

    static {
        for (VhdxBlockState s : values()) {
            BY_CODE[s.code] = s;
        }
    }

    public final int code;

    VhdxBlockState(int code) {
        this.code = code;
    }

    /** The state of a code, or null for the reserved codes 4 and 5. */
    public static VhdxBlockState of(int code) {
        return BY_CODE[code & 7];
    }
}
