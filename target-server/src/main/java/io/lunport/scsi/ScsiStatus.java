package io.lunport.scsi;

import java.util.Arrays;

/**
 * The outcome of a command: a SAM status byte and, for CHECK CONDITION, the sense data.
 * {@link #GOOD} is a shared constant so that the common case allocates nothing.
 */
public record ScsiStatus(int code, byte[] sense) {

    public static final int GOOD_CODE = 0x00;
    public static final int CHECK_CONDITION_CODE = 0x02;
    public static final int CONDITION_MET_CODE = 0x04;
    public static final int BUSY_CODE = 0x08;
    public static final int RESERVATION_CONFLICT_CODE = 0x18;
    public static final int TASK_SET_FULL_CODE = 0x28;
    public static final int TASK_ABORTED_CODE = 0x40;

    private static final byte[] NO_SENSE = new byte[0];

    public static final ScsiStatus GOOD = new ScsiStatus(GOOD_CODE, NO_SENSE);
    public static final ScsiStatus BUSY = new ScsiStatus(BUSY_CODE, NO_SENSE);
    public static final ScsiStatus RESERVATION_CONFLICT = new ScsiStatus(RESERVATION_CONFLICT_CODE, NO_SENSE);
    public static final ScsiStatus TASK_SET_FULL = new ScsiStatus(TASK_SET_FULL_CODE, NO_SENSE);

    public static ScsiStatus checkCondition(byte[] sense) {
        return new ScsiStatus(CHECK_CONDITION_CODE, sense);
    }

    public boolean isGood() {
        return code == GOOD_CODE;
    }

    public boolean hasSense() {
        return sense.length > 0;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScsiStatus other && code == other.code && Arrays.equals(sense, other.sense);
    }

    @Override
    public int hashCode() {
        return 31 * code + Arrays.hashCode(sense);
    }

    @Override
    public String toString() {
        return hasSense() ? String.format("status 0x%02x sense %s", code, SenseData.describe(sense))
                : String.format("status 0x%02x", code);
    }
}
