package io.lunport.translation.vhdx.synth;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.util.Arrays;

/**
 * Which payload blocks of a synthesized VHDX are present, in virtual order: a block is present
 * when any byte of it is DATA in the source's extents. The {@code slot}-th present block is
 * the {@code slot}-th block stored in the file.
 *
 * <p>Memory cost: 4 bytes per present block (half the BAT entry it stands for); nothing for
 * absent blocks, so a sparse 2 TiB source costs nothing. Immutable, thread-safe.
 */
final class PresentBlocks {

    /** Extents are asked for in windows of this many bytes (a multiple of every block size). */
    private static final long WINDOW = 8L << 30;

    private final int[] blocks;

    private PresentBlocks(int[] blocks) {
        this.blocks = blocks;
    }

    /** Walks the source's extents (no payload is read). */
    static PresentBlocks scan(BlockSource source, long blockSize) throws IOException {
        long size = source.size();
        int[] found = new int[16];
        int count = 0;
        long last = -1;
        for (long window = 0; window < size; window += WINDOW) {
            for (Extent e : source.extents(window, Math.min(WINDOW, size - window))) {
                if (e.kind() != Extent.Kind.DATA) {
                    continue;
                }
                long first = Math.max(e.offset() / blockSize, last + 1);
                long end = (e.end() - 1) / blockSize;
                for (long block = first; block <= end; block++) {
                    if (count == found.length) {
                        found = Arrays.copyOf(found, count * 2);
                    }
                    found[count++] = Math.toIntExact(block);
                }
                last = Math.max(last, end);
            }
        }
        return new PresentBlocks(Arrays.copyOf(found, count));
    }

    int count() {
        return blocks.length;
    }

    /** The virtual block stored in file slot {@code slot}. */
    long block(long slot) {
        return blocks[(int) slot];
    }

    /** The file slot of virtual block {@code block}, or -1 when it is not present. */
    long slotOf(long block) {
        if (block > Integer.MAX_VALUE) {
            return -1;
        }
        int slot = Arrays.binarySearch(blocks, (int) block);
        return slot < 0 ? -1 : slot;
    }
}
