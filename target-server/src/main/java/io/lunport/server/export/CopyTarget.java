package io.lunport.server.export;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Where a copy writes: the file open for writing, the same file as {@link NativeFile} for the
 * calls Java has no API for, its name for messages, and what to do with zero runs.
 *
 * @param channel   the file; writes go through the page cache
 * @param file      fallocate and write-behind on the same file (doing nothing where they are unavailable)
 * @param fallocate in {@link HoleMode#ALLOCATE}, whether to allocate the file first and then
 *                  skip its zero runs (false: write them)
 */
record CopyTarget(FileChannel channel, NativeFile file, Path path, HoleMode holes, boolean fallocate) {
}
