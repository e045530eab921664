package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Test images made on the fly: never committed. A "holey" image has 1 MiB of seeded random
 * data at the start of every 4 MiB stripe and holes in between, so reads cross data, holes
 * and the boundaries between them, and the same seed always makes the same bytes.
 */
public final class TestImages {
    public static final int MIB = 1 << 20;

    private TestImages() {}

    /** A sparse raw file of {@code size} bytes: 1 MiB of {@code Random(seed)} data every 4 MiB. */
    public static Path holey(Path file, long size, long seed) {
        return striped(file, size, seed, 4L * MIB, MIB);
    }

    public static Path striped(Path file, long size, long seed, long stride, int dataLength) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            Random random = new Random(seed);
            byte[] chunk = new byte[dataLength];
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
                for (long off = 0; off < size; off += stride) {
                    random.nextBytes(chunk);
                    int n = (int) Math.min(dataLength, size - off);
                    raf.seek(off);
                    raf.write(chunk, 0, n);
                }
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A file of {@code size} bytes, all holes (a sparse file as big as you like). */
    public static Path sparse(Path file, long size) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Files.deleteIfExists(file);
            try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.setLength(size);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fails unless both files hold the same bytes; names the first differing offset. */
    public static void assertSameBytes(Path expected, Path actual) {
        try {
            assertThat(Files.size(actual)).as("size of %s", actual).isEqualTo(Files.size(expected));
            long at = Files.mismatch(expected, actual);
            assertThat(at).as("first differing byte offset between %s and %s (-1 = identical)", expected, actual)
                    .isEqualTo(-1L);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code length} bytes at {@code offset}. */
    public static byte[] read(Path file, long offset, int length) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            raf.seek(offset);
            raf.readFully(b);
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
