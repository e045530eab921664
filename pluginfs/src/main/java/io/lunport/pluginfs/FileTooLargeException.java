package io.lunport.pluginfs;

import java.io.IOException;

/** A write or truncate beyond the most a VHDX of this disk can grow to (EFBIG). */
public final class FileTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    FileTooLargeException(String name, long end, long max) {
        super(name + ": " + end + " bytes is beyond the largest this VHDX can grow to (" + max + " bytes)");
    }
}
