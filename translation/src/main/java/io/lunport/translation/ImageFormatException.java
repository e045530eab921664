package io.lunport.translation;

import java.io.IOException;
import java.nio.file.Path;

/** An image whose structure is wrong: names the file, the byte offset and the field. */
public final class ImageFormatException extends IOException {

    private final Path file;
    private final long offset;
    private final String field;

    public ImageFormatException(Path file, long offset, String field, String problem) {
        super(file + " at offset " + offset + ", " + field + ": " + problem);
        this.file = file;
        this.offset = offset;
        this.field = field;
    }

    public Path file() {
        return file;
    }

    public long offset() {
        return offset;
    }

    public String field() {
        return field;
    }
}
