package io.lunport.config;

/**
 * Where a setting came from, so that a message can point at it: a line of a configuration
 * file and the key path there ({@code lunport.yaml:12: targets[0].luns[1].id}), or a
 * command-line flag ({@code --lun web01=/backups/web01.raw}).
 *
 * @param source  the configuration file as the user named it, or the flag with its value
 * @param line    1-based line in {@code source}; 0 for a flag
 * @param keyPath the key path in the file ({@code targets[0].iqn}); empty for a flag or the whole file
 */
public record Origin(String source, int line, String keyPath) {

    public static Origin flag(String flagWithValue) {
        return new Origin(flagWithValue, 0, "");
    }

    public boolean isFile() {
        return line > 0;
    }

    /** The same place, one key further down. */
    public Origin child(String key, int keyLine) {
        return new Origin(source, keyLine, keyPath.isEmpty() ? key : keyPath + "." + key);
    }

    /** The same place, one list item further down: {@code targets[2]}. */
    public Origin item(int index, int itemLine) {
        return new Origin(source, itemLine, keyPath + "[" + index + "]");
    }

    /** The text a message starts with: {@code file:line: key.path} or the flag. */
    public String describe() {
        if (!isFile()) {
            return source;
        }
        return source + ":" + line + (keyPath.isEmpty() ? "" : ": " + keyPath);
    }

    /** How another message refers to this place: {@code line 9} in the same file, else the flag. */
    public String reference() {
        return isFile() ? "line " + line : source;
    }

    @Override
    public String toString() {
        return describe();
    }
}
