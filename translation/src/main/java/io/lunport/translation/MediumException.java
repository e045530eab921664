package io.lunport.translation;

import java.io.IOException;

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

    /** The virtual byte offset of the failing request, for the sense INFORMATION field. */
    public long virtualOffset() {
        return virtualOffset;
    }
}
