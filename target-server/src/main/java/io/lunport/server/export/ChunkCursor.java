package io.lunport.server.export;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.util.List;

/**
 * Hands out the chunks of a copy in offset order, one per call, to whichever worker asks.
 * DATA runs are cut at multiples of the chunk size (so writes stay aligned however the runs
 * fall); zero and unallocated runs are skipped without being read, or, when the copy must
 * write them (a {@link HoleMode#ALLOCATE} file that could not be allocated), handed out as zero
 * chunks.
 *
 * <p>Memory: extents are fetched one {@link #EXTENT_WINDOW} at a time, so a 2 TiB disk costs
 * one window's list, not a map of the disk.
 *
 * <p>Locking: {@link #next} is synchronized; it runs once per chunk (megabytes apart), and a
 * worker fetching the next window holds the others back only for the metadata read.
 */
final class ChunkCursor {

    /** How much of the disk one {@link BlockSource#extents} call describes. */
    static final long EXTENT_WINDOW = 1L << 30;

    /** One chunk to copy; each worker owns one and the cursor fills it, so nothing is allocated per chunk. */
    static final class Chunk {
        long offset;
        int length;
        /** false: the run reads as zeros and is written from a zero buffer. */
        boolean data;
    }

    private final BlockSource source;
    private final long size;
    private final int chunkSize;
    /** false: zero and unallocated runs become zero chunks. */
    private final boolean skipZeros;
    private final CopyCounters counters;

    private List<Extent> window = List.of();
    private int index;
    private long nextWindow;
    private long position;

    ChunkCursor(BlockSource source, int chunkSize, boolean skipZeros, CopyCounters counters) {
        this.source = source;
        this.size = source.size();
        this.chunkSize = chunkSize;
        this.skipZeros = skipZeros;
        this.counters = counters;
    }

    /** Fills {@code chunk} with the next piece to copy; false when the disk is done. */
    synchronized boolean next(Chunk chunk) throws IOException {
        while (true) {
            if (index < window.size()) {
                Extent extent = window.get(index);
                long at = Math.max(position, extent.offset());
                boolean data = extent.kind() == Extent.Kind.DATA;
                if (at >= extent.end() || (!data && skipZeros)) {
                    if (at < extent.end()) {
                        counters.skipped(extent.end() - at);
                    }
                    position = extent.end();
                    index++;
                    continue;
                }
                long end = Math.min(extent.end(), (at / chunkSize + 1) * chunkSize);
                chunk.offset = at;
                chunk.length = (int) (end - at);
                chunk.data = data;
                position = end;
                return true;
            }
            if (nextWindow >= size) {
                return false;
            }
            long length = Math.min(EXTENT_WINDOW, size - nextWindow);
            window = source.extents(nextWindow, length);
            index = 0;
            nextWindow += length;
        }
    }
}
