package io.lunport.pluginfs;

import java.nio.file.Path;
import java.util.regex.Pattern;

/** One image of the mount: it appears as {@code NAME.vhdx}. */
public record ImageSpec(String name, Path image) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,199}");

    public ImageSpec {
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("image name '" + name + "' must be 1 to 200 letters, digits, '.', '_' or '-',"
                    + " starting with a letter or digit (it becomes the file name NAME.vhdx)");
        }
    }

    /** Parses {@code NAME=IMAGE} as {@code --lun} takes it. */
    public static ImageSpec parse(String value) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("--lun takes NAME=IMAGE, not '" + value + "'");
        }
        return new ImageSpec(value.substring(0, eq), Path.of(value.substring(eq + 1)));
    }
}
