package io.lunport.translation.vhdx;

/**
 * One 64-bit BAT entry: a state (bits 0-2; null when the code is reserved) and a file offset
 * in MiB (bits 20-63).
 */
public record VhdxBatEntry(VhdxBlockState state, long fileOffsetMb) {

    public static final int LENGTH = 8;

    public static VhdxBatEntry parse(long raw) {
        return new VhdxBatEntry(VhdxBlockState.of((int) (raw & 7)), raw >>> 20);
    }

    /** The 64-bit entry as stored: the inverse of {@link #parse}. */
    public long raw() {
        return fileOffsetMb << 20 | state.code;
    }

    public long fileOffset() {
        return fileOffsetMb << 20;
    }
}
