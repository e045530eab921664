package io.lunport.config;

import java.nio.file.Path;

/**
 * One LUN of a target.
 *
 * @param overlay     where writes go; null for the default {@code stateDir/<name>.overlay}
 * @param direct      write into a raw image in place (only {@code --direct} sets it)
 * @param origin        the LUN's {@code id} key ({@code targets[0].luns[1].id}) or its flag
 * @param imageOrigin   the {@code image} key, for messages about the image
 * @param overlayOrigin the {@code overlay} key, or {@code origin} when the overlay is the default
 */
public record LunConfig(int id, Path image, Path overlay, boolean readOnly, boolean direct, int blockSize,
                        Origin origin, Origin imageOrigin, Origin overlayOrigin) {

    /** Logical block sizes lunport serves. */
    public static boolean isValidBlockSize(int blockSize) {
        return blockSize == 512 || blockSize == 4096;
    }
}
