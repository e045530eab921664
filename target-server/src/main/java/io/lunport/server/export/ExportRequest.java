package io.lunport.server.export;

import java.nio.file.Path;

/**
 * One export, as the command line asks for it.
 *
 * @param image             the image (any format lunport reads, a chain, a stub)
 * @param overlay           an overlay of the image whose writes are folded in, or null
 * @param output            the file to write
 * @param format            what to write
 * @param logicalSectorSize 512 or 4096: the VHDX's logical sector size (raw has none)
 * @param force             overwrite {@code output} when it exists
 */
public record ExportRequest(Path image, Path overlay, Path output, ExportFormat format, int logicalSectorSize,
                            boolean force) {
}
