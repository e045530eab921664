package io.lunport.server.export;

import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Where a copy writes: the open file, its name for messages, and what to do with zero runs. */
public record CopyTarget(FileChannel channel, Path path, HoleMode holes) {
}
