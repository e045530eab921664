package io.lunport.translation.blockmap;

import io.lunport.translation.MediumException;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** Positional reads of bytes a table says the file holds: a short file is a medium error, not zeros. */
public final class StoredBytes {

    private static final byte[] ZEROS = new byte[64 * 1024];

    private StoredBytes() {
    }

    /**
     * Fills {@code dst} from {@code channel} at {@code position}.
     *
     * @param virtualOffset the virtual offset of {@code dst}'s first byte, for the error
     * @throws MediumException when the file ends early or the read fails
     */
    public static void read(FileChannel channel, Path file, long position, ByteBuffer dst, long virtualOffset)
            throws MediumException {
        long p;
        try {
            p = RawBlockSource.readUpTo(channel, position, dst);
        } catch (IOException e) {
            throw new MediumException(virtualOffset, "read of " + file + " at " + position + " failed: " + e.getMessage(), e);
        }
        if (dst.hasRemaining()) {
            throw new MediumException(virtualOffset, file + " ends at " + p + " but its table places "
                    + dst.remaining() + " more bytes there (truncated image)");
        }
    }

    /** Reads exactly {@code length} bytes at {@code position} into a new array (length already validated). */
    public static byte[] readArray(FileChannel channel, Path file, long position, int length, long virtualOffset)
            throws MediumException {
        byte[] bytes = new byte[length];
        read(channel, file, position, ByteBuffer.wrap(bytes), virtualOffset);
        return bytes;
    }

    /** Writes {@code n} zero bytes into {@code dst} at its position. */
    public static void putZeros(ByteBuffer dst, long n) {
        long left = n;
        while (left > 0) {
            int chunk = (int) Math.min(left, ZEROS.length);
            dst.put(ZEROS, 0, chunk);
            left -= chunk;
        }
    }
}
