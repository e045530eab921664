package io.lunport.translation.blockmap;

/**
 * Which sectors of one block a differencing layer holds itself (bit set) and which it leaves
 * to its parent (bit clear). VHD numbers the bits from the most significant bit of each byte,
 * VHDX from the least significant one; both keep one bit per logical sector.
 *
 * @param bits     the bitmap bytes (shared with a cache: never modified)
 * @param firstBit the bit of this block's sector 0 within {@code bits}
 * @param msbFirst true for VHD's bit order, false for VHDX's
 */
public record SectorBitmap(byte[] bits, long firstBit, boolean msbFirst) {

    public boolean present(long sector) {
        long bit = firstBit + sector;
        int b = bits[(int) (bit >>> 3)] & 0xff;
        int shift = msbFirst ? 7 - (int) (bit & 7) : (int) (bit & 7);
        return ((b >>> shift) & 1) != 0;
    }

    /** The first sector at or after {@code sector} and before {@code limit} whose bit differs from {@code sector}'s. */
    public long runEnd(long sector, long limit) {
        boolean value = present(sector);
        long s = sector + 1;
        while (s < limit) {
            // Whole bytes of equal bits are skipped at once: a bitmap is mostly 0x00 or 0xff.
            long bit = firstBit + s;
            if ((bit & 7) == 0 && s + 8 <= limit) {
                int b = bits[(int) (bit >>> 3)] & 0xff;
                if (b == (value ? 0xff : 0)) {
                    s += 8;
                    continue;
                }
            }
            if (present(s) != value) {
                return s;
            }
            s++;
        }
        return limit;
    }
}
