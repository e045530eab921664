package io.lunport.translation;

import java.nio.file.Path;
import java.util.Map;

/**
 * What {@code inspect} shows of one layer of an image chain.
 *
 * @param clusterSize    cluster, grain or block size in bytes; 0 when the format has none
 * @param compression    "deflate", "zstd", ... or null
 * @param allocatedBytes bytes of the virtual disk this layer stores data for; -1 if unknown
 * @param details        format-specific facts worth printing, in order
 * @param backing        the next layer down, or null
 */
public record SourceInfo(Path file, String format, long virtualSize, long clusterSize, String compression,
                         long allocatedBytes, Map<String, String> details, SourceInfo backing) {
}
