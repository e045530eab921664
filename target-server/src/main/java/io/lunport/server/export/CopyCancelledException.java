package io.lunport.server.export;

import java.io.IOException;
import java.nio.file.Path;

/** The copy into {@code output} was stopped before it finished (SIGINT, SIGTERM). */
public final class CopyCancelledException extends IOException {

    public CopyCancelledException(Path output) {
        super("export to " + output + " interrupted");
    }
}
