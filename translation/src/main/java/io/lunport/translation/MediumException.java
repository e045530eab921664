package io.lunport.translation;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The medium could not deliver or take data at a virtual offset: an I/O error underneath,
 * or data that does not decode. The SCSI layer answers it with MEDIUM ERROR sense.
 */
public class MediumException extends IOException {

    private final long virtualOffset;

    public MediumException(long virtualOffset, String message, Throwable cause) {
        super(message, cause);
        this.virtualOffset = virtualOffset;
    }

    public MediumException(long virtualOffset, String message) {
        this(virtualOffset, message, null);
    }

    /** A read of {@code file} at {@code position}, for the virtual offset {@code virtualOffset}, failed. */
    public static MediumException readFailed(Path file, long position, long virtualOffset, IOException cause) {
        return new MediumException(virtualOffset, "read of " + file + " at " + position + " failed: " + cause.getMessage(),
                cause);
    }

    /** The virtual byte offset of the failing request, for the sense INFORMATION field. */
    public long virtualOffset() {
        return virtualOffset;
    }
}
