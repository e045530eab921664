package io.lunport.pluginfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The logical length and modification time of a written VHDX file ({@code NAME.vhdx.length}):
 * the overlay stores bytes by file offset but not where the file ends, which grows when a
 * writer appends blocks and shrinks when it truncates. Replaced atomically (see
 * {@link StateFiles}).
 *
 * <pre>  0 magic "LUNPVLEN"   8 version u32   12 reserved u32   16 length u64   24 mtime ms u64</pre>
 */
record LengthRecord(long length, long mtimeMillis) {

    private static final byte[] MAGIC = "LUNPVLEN".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int SIZE = 32;

    void save(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(0).putLong(length).putLong(mtimeMillis).flip();
        StateFiles.replace(file, b);
    }

    /**
     * The record in {@code file}, or null when there is none.
     *
     * @throws StateFiles.StateFileException when the file is damaged or holds something else
     */
    static LengthRecord load(Path file) throws IOException {
        ByteBuffer b = StateFiles.read(file, SIZE);
        if (b == null) {
            return null;
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        if (b.remaining() != SIZE || !Arrays.equals(MAGIC, 0, MAGIC.length, b.array(), b.arrayOffset(),
                b.arrayOffset() + MAGIC.length)) {
            throw new StateFiles.StateFileException(file, "no VHDX length record (magic at offset 0)");
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new StateFiles.StateFileException(file, "version " + version + " at offset 8, expected " + VERSION);
        }
        long length = b.getLong(16);
        if (length < 0) {
            throw new StateFiles.StateFileException(file, "negative length " + length + " at offset 16");
        }
        return new LengthRecord(length, b.getLong(24));
    }
}
