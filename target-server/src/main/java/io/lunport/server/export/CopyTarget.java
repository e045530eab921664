package io.lunport.server.export;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Where a copy writes: the file open for ordinary (page cache) writes, and, when the file
 * system allows it, open a second time with O_DIRECT; its name for messages; what to do with
 * zero runs.
 *
 * <p>Why two channels: a large export written through the page cache is copied once more in
 * memory and then flushed at the end in one long fsync; direct writes go to the device as
 * they are issued, with a few in flight. O_DIRECT needs offsets, lengths and buffer addresses
 * aligned to {@code alignment}; the odd write that is not (a raw disk's unaligned tail) takes
 * the buffered channel. The two never share a page: an aligned write covers whole pages.
 *
 * @param buffered  the file, opened normally
 * @param direct    the same file opened with O_DIRECT, or null
 * @param alignment what O_DIRECT requires (the file system's block size); 0 without {@code direct}
 * @param fallocate in {@link HoleMode#ALLOCATE}, whether to allocate the file with
 *                  {@link FileAllocation} first and then skip its zero runs (false: write them)
 */
public record CopyTarget(FileChannel buffered, FileChannel direct, int alignment, Path path, HoleMode holes,
                         boolean fallocate) {

    /** A target without O_DIRECT. */
    public static CopyTarget buffered(FileChannel channel, Path path, HoleMode holes) {
        return new CopyTarget(channel, null, 0, path, holes, FileAllocation.ENABLED);
    }

    /** The channel for writing {@code buffer}'s remaining bytes at {@code offset}. */
    FileChannel channelFor(ByteBuffer buffer, long offset) {
        if (direct != null && offset % alignment == 0 && buffer.remaining() % alignment == 0
                && buffer.position() % alignment == 0) {
            return direct;
        }
        return buffered;
    }
}
