package io.lunport.server.export;

import java.io.IOException;

/**
 * One copy worker's write-behind: each chunk it wrote goes to the device at once, and the chunk
 * before it is waited for and dropped from the page cache. So the device works while the copy
 * goes on (rather than in one long fsync at the end), a write error surfaces within a chunk or
 * two, and a copy of any size holds at most two chunks per worker in the page cache, where
 * an unpaced one would fill memory with dirty pages of a file nobody reads again. Unlike
 * O_DIRECT, the writes still pass through the page cache, where the kernel merges the many
 * small runs of a block with holes into large requests.
 *
 * <p>Not thread-safe: one per worker.
 */
final class WriteBehind {

    private final NativeFile file;
    private long previousOffset;
    private long previousLength;

    WriteBehind(NativeFile file) {
        this.file = file;
    }

    /** After {@code [offset, offset + length)} was written. */
    void written(long offset, long length) throws IOException {
        file.startWriteback(offset, length);
        finishPrevious();
        previousOffset = offset;
        previousLength = length;
    }

    /** When the worker is done: its last chunk, too, is on the device and out of the cache. */
    void finish() throws IOException {
        finishPrevious();
        previousLength = 0;
    }

    private void finishPrevious() throws IOException {
        if (previousLength > 0) {
            file.awaitWritebackAndDrop(previousOffset, previousLength);
        }
    }
}
