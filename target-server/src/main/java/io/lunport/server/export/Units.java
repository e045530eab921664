package io.lunport.server.export;

import java.util.Locale;

/** Byte counts as people read them. */
public final class Units {

    public static final double MIB = 1024.0 * 1024.0;

    private Units() {}

    /** {@code 3.2 GiB}, {@code 512 B}. */
    public static String human(long bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
