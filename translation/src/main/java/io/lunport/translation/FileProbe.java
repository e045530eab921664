package io.lunport.translation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The first and last bytes of a file, read once so that every format can test its
 * signature without opening the file again. Formats are recognized by content, never by
 * the file name.
 *
 * @param head up to {@link #HEAD_LENGTH} bytes from offset 0 (read-only, position 0)
 * @param tail up to {@link #TAIL_LENGTH} bytes ending at the end of the file (VHD footers)
 */
public record FileProbe(Path path, long size, ByteBuffer head, ByteBuffer tail) {

    public static final int HEAD_LENGTH = 64 * 1024;
    public static final int TAIL_LENGTH = 1024;

    public static FileProbe read(Path path) throws IOException {
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            ByteBuffer head = ByteBuffer.allocate((int) Math.min(HEAD_LENGTH, size));
            RawBlockSource.readUpTo(ch, 0, head);
            int tailLength = (int) Math.min(TAIL_LENGTH, size);
            ByteBuffer tail = ByteBuffer.allocate(tailLength);
            RawBlockSource.readUpTo(ch, size - tailLength, tail);
            return new FileProbe(path, size, head.flip().asReadOnlyBuffer(), tail.flip().asReadOnlyBuffer());
        }
    }

    /** True when the head starts with {@code magic}. */
    public boolean headStartsWith(byte[] magic) {
        if (head.limit() < magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if (head.get(i) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
