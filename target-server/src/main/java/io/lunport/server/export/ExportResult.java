package io.lunport.server.export;

import java.nio.file.Path;
import java.util.Locale;

/**
 * What an export did, for the one-line summary.
 *
 * @param output       the file written
 * @param fileLength   its length
 * @param bytesWritten bytes actually written (less than the length where a raw export left holes, or a
 *                     VHDX export allocated zero runs without writing them)
 * @param nanos        wall time from opening the image to the file forced to disk
 */
public record ExportResult(Path output, long fileLength, long bytesWritten, long nanos) {

    public double seconds() {
        return nanos / 1e9;
    }

    public double mibPerSecond() {
        return bytesWritten / Units.MIB / Math.max(seconds(), 1e-9);
    }

    /** {@code lunport: exported OUT: 3.0 GiB file, 2.1 GiB (2254857830 bytes) written in 4.2 s, 512.0 MiB/s}. */
    public String summary() {
        return String.format(Locale.ROOT, "lunport: exported %s: %s file, %s (%d bytes) written in %.1f s, %.1f MiB/s",
                output, Units.human(fileLength), Units.human(bytesWritten), bytesWritten, seconds(), mibPerSecond());
    }
}
