package io.lunport.server.lun;

import java.nio.file.Path;

/**
 * One image to serve as a logical unit, with everything resolved: the configuration (file
 * or flags) has named the overlay and reservations files by now.
 *
 * @param direct       write into the raw image in place instead of keeping it untouched
 * @param blockSize    logical block size, 512 or 4096
 * @param overlay      where writes go unless read-only or direct; null: serve read-only
 * @param reservations where persistent reservations with APTPL are kept; null: memory only
 */
public record LunSpec(Path image, boolean readOnly, boolean direct, int blockSize, Path overlay, Path reservations) {
}
