package io.lunport.translation.blockmap;

/**
 * Which sectors of one block a differencing layer holds itself (bit set) and which it leaves
 * to its parent (bit clear). VHD numbers the bits from the most significant bit of each byte,
 * VHDX from the least significant one; both keep one bit per logical sector.
 *
 * @param bits     the bitmap bytes (shared with a cache: never modified)
 * @param firstBit the bit of this block's sector 0 within {@code bits}
 * @param msbFirst true for VHD's bit order, false for VHDX's
 *
 * <p>A partially present block is no kind of its own in the {@link Run} model: {@link #run}
 * cuts it into DATA runs (present sectors) and UNALLOCATED runs (the parent's sectors).
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

    /**
     * The run at virtual {@code offset}, which lies {@code inBlock} bytes into a block whose
     * present sectors are stored from file offset {@code blockHost}: the DATA or UNALLOCATED
     * stretch of sectors with the same bit, at most {@code length} bytes (which stay inside
     * the block).
     */
    public Run run(long offset, long inBlock, long length, int sectorSize, long blockHost) {
        long sector = inBlock / sectorSize;
        long stop = inBlock + length;
        long runStop = Math.min(stop, runEnd(sector, (stop + sectorSize - 1) / sectorSize) * sectorSize);
        return present(sector)
                ? new Run(Run.Kind.DATA, offset, runStop - inBlock, blockHost + inBlock)
                : new Run(Run.Kind.UNALLOCATED, offset, runStop - inBlock, -1);
    }
}
