package io.lunport.overlay;

import java.io.IOException;
import java.nio.file.Path;

/**
 * An overlay file that cannot be attached: not an overlay, a damaged header, made for another
 * image (or for this image before it changed), or in use by another process. These are the
 * operator's to resolve, so the CLI reports them as a configuration error.
 */
public class OverlayException extends IOException {

    private final Path file;

    public OverlayException(Path file, String message) {
        super(message);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
