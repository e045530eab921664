package io.lunport.translation.blockmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The qemu-img oracle for reader tests: seeded raw files with data, text, explicit zeros and
 * holes; running qemu-img and qemu-io; comparing every byte and the extents of a source.
 */
public final class QemuImages {

    private QemuImages() {
    }

    /** A raw file of {@code size} bytes: runs of random bytes, text, written zeros and holes. */
    public static Path writeRaw(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] text = ("The quick brown fox jumps over the lazy dog; lunport serves images as LUNs. ")
                .repeat(2000).getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile out = new RandomAccessFile(file.toFile(), "rw")) {
            out.setLength(size);
            long at = 0;
            while (at < size) {
                int length = (int) Math.min(size - at, (1 + random.nextInt(256)) * 512L);
                int kind = random.nextInt(10);
                byte[] run = null;
                if (kind < 3) {
                    run = new byte[length];
                    random.nextBytes(run);
                } else if (kind < 5) {
                    int from = random.nextInt(1000);
                    run = Arrays.copyOfRange(text, from, from + length);
                } else if (kind < 7) {
                    run = new byte[length];
                }
                if (run != null) {
                    out.seek(at);
                    out.write(run, 0, length);
                }
                at += length;
            }
        }
        return file;
    }

    /** Opens an image the way a LUN does: format detection and the whole chain. */
    public static BlockSource open(Path image) throws IOException {
        return new ImageOpener(TranslationContext.defaults()).open(image);
    }

    /** Reads {@code [0, end)} of {@code source} in 1 MiB chunks, discarding the bytes. */
    public static void readAll(BlockSource source, long end) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        for (long at = 0; at < end; at += chunk.capacity()) {
            chunk.clear().limit((int) Math.min(chunk.capacity(), end - at));
            source.read(at, chunk);
        }
    }

    /** Overwrites bytes of {@code file} at {@code at}. */
    public static void patch(Path file, long at, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(bytes, at);
        }
    }

    /** Runs a command (qemu-img, qemu-io) and returns its stdout; fails the test on a non-zero exit. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (rc != 0) {
            fail(String.join(" ", command) + " exited " + rc + ": " + output);
        }
        return output;
    }

    /** Every byte of {@code source} equals {@code raw}: sequential reads of varied, misaligned sizes. */
    public static void assertSameBytes(BlockSource source, Path raw) throws IOException {
        byte[] expected = Files.readAllBytes(raw);
        assertThat(source.size()).isEqualTo(expected.length);
        Random random = new Random(7);
        long at = 0;
        while (at < expected.length) {
            int length = (int) Math.min(expected.length - at, 1 + random.nextInt(random.nextBoolean() ? 4096 : 3 * 1024 * 1024));
            ByteBuffer dst = random.nextBoolean() ? ByteBuffer.allocate(length) : ByteBuffer.allocateDirect(length);
            source.read(at, dst);
            assertThat(dst.hasRemaining()).isFalse();
            assertRange(dst.flip(), expected, at);
            at += length;
        }
    }

    /** Random reads from several threads at once agree with {@code raw}. */
    public static void assertConcurrentReads(BlockSource source, Path raw, int threads, int readsPerThread) throws Exception {
        byte[] expected = Files.readAllBytes(raw);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = t;
                done.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    for (int i = 0; i < readsPerThread; i++) {
                        long at = (long) (random.nextDouble() * expected.length);
                        int length = (int) Math.min(expected.length - at, 1 + random.nextInt(300_000));
                        if (length <= 0) {
                            continue;
                        }
                        ByteBuffer dst = ByteBuffer.allocate(length);
                        source.read(at, dst);
                        assertRange(dst.flip(), expected, at);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertRange(ByteBuffer actual, byte[] expected, long at) {
        for (int i = 0; i < actual.limit(); i++) {
            if (actual.get(i) != expected[(int) at + i]) {
                fail("byte at virtual offset " + (at + i) + " is " + actual.get(i) + ", expected " + expected[(int) at + i]);
            }
        }
    }

    /** {@link ImageTests#assertExtentsAgree} with qemu's map of {@code image}, read as the format lunport found. */
    public static void assertExtentsAgree(BlockSource source, Path image, Path raw) throws Exception {
        ImageTests.assertExtentsAgree(source, ImageTests.qemuMap(image, source.formatName()), raw);
    }
}
