package io.lunport.translation.blockmap;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared helpers of the block-mapped format tests: seeded raw files, qemu-img, byte and extent comparisons. */
public final class ImageTests {

    private ImageTests() {
    }

    /**
     * A seeded raw file of {@code size} bytes in 64 KiB runs: random bytes, text-like bytes,
     * written zeros and holes (never written), so that converters meet all three.
     */
    public static Path seededRaw(Path file, long size, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] run = new byte[64 * 1024];
        byte[] words = "lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor\n"
                .getBytes(StandardCharsets.US_ASCII);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            for (long pos = 0; pos < size; pos += run.length) {
                int n = (int) Math.min(run.length, size - pos);
                int kind = random.nextInt(8);
                if (kind <= 1) {
                    continue; // hole
                }
                if (kind == 2) {
                    Arrays.fill(run, (byte) 0);
                } else if (kind <= 4) {
                    for (int i = 0; i < n; i++) {
                        run[i] = words[(i + random.nextInt(3)) % words.length];
                    }
                } else {
                    random.nextBytes(run);
                }
                raf.seek(pos);
                raf.write(run, 0, n);
            }
        }
        return file;
    }

    /** Runs a command (qemu-img, qemu-io, vhdiinfo), fails the test unless it exits 0, returns its stdout. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        int rc = p.waitFor();
        assertThat(rc).as(String.join(" ", command) + ": " + new String(err, StandardCharsets.UTF_8)).isZero();
        return new String(out, StandardCharsets.UTF_8);
    }

    /** The image's bytes as qemu reads them, as a raw file next to it. */
    public static Path qemuRaw(Path image, String format) throws IOException, InterruptedException {
        Path raw = image.resolveSibling(image.getFileName() + ".qemu.raw");
        run("qemu-img", "convert", "-f", format, "-O", "raw", image.toString(), raw.toString());
        return raw;
    }

    /**
     * Every byte of {@code source} against {@code expected} (zeros past its end): sequentially
     * in chunks of varied, misaligned sizes, then from several threads at random offsets.
     */
    public static void assertSameBytes(BlockSource source, Path expected) throws Exception {
        byte[] want = Files.readAllBytes(expected);
        long size = source.size();
        Random random = new Random(size);
        int[] chunks = {512, 4096, 65536 + 512, 1 << 20, 3 * (1 << 20) + 17, 777};
        long pos = 0;
        for (int i = 0; pos < size; i++) {
            int n = (int) Math.min(chunks[i % chunks.length] + (i % 3 == 0 ? 1 : 0), size - pos);
            assertRange(source, want, pos, n);
            pos += n;
        }
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<?>> jobs = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                long seed = random.nextLong();
                jobs.add(pool.submit(() -> {
                    Random r = new Random(seed);
                    for (int k = 0; k < 200; k++) {
                        long at = Math.floorMod(r.nextLong(), size);
                        int n = (int) Math.min(1 + r.nextInt(300_000), size - at);
                        assertRange(source, want, at, n);
                    }
                    return null;
                }));
            }
            for (Future<?> job : jobs) {
                job.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void assertRange(BlockSource source, byte[] want, long pos, int n) throws IOException {
        ByteBuffer got = ByteBuffer.allocate(n);
        source.read(pos, got);
        assertThat(got.hasRemaining()).isFalse();
        byte[] expected = new byte[n];
        if (pos < want.length) {
            System.arraycopy(want, (int) pos, expected, 0, (int) Math.min(n, want.length - pos));
        }
        if (!Arrays.equals(got.array(), expected)) {
            int i = Arrays.mismatch(got.array(), expected);
            throw new AssertionError("bytes differ at virtual offset " + (pos + i) + " (read " + pos + "+" + n + ")");
        }
    }

    /** One entry of {@code qemu-img map --output=json}. */
    public record MapEntry(long start, long length, boolean data, boolean zero) {
    }

    private static final Pattern MAP = Pattern.compile(
            "\"start\": (\\d+), \"length\": (\\d+), \"depth\": \\d+, \"present\": \\w+, \"zero\": (\\w+), \"data\": (\\w+)");

    public static List<MapEntry> qemuMap(Path image, String format) throws IOException, InterruptedException {
        List<MapEntry> entries = new ArrayList<>();
        Matcher m = MAP.matcher(run("qemu-img", "map", "-f", format, "--output=json", image.toString()));
        while (m.find()) {
            entries.add(new MapEntry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)),
                    Boolean.parseBoolean(m.group(4)), Boolean.parseBoolean(m.group(3))));
        }
        return entries;
    }

    /**
     * Our extents against qemu's map and the disk's bytes ({@code raw}, the whole chain
     * flattened). They must tile the disk; where qemu finds no data (unmapped, or zeros: a
     * zero cluster, or a hole in the file under a mapped block) we must not say DATA either;
     * where we say DATA qemu must map something; and whatever we do not call DATA must read
     * as zeros. We may find more zeros than qemu: its VHDX driver does not look at the file's
     * holes, ours does.
     */
    public static void assertExtentsAgree(BlockSource source, List<MapEntry> map, Path raw) throws IOException {
        List<Extent> extents = source.extents(0, source.size());
        long pos = 0;
        for (Extent e : extents) {
            assertThat(e.offset()).isEqualTo(pos);
            pos = e.end();
        }
        assertThat(pos).isEqualTo(source.size());
        for (MapEntry entry : map) {
            long end = Math.min(entry.start() + entry.length(), source.size());
            for (Extent e : source.extents(entry.start(), end - entry.start())) {
                if (!entry.data() || entry.zero()) {
                    assertThat(e.kind()).as("extent %s where qemu finds no data: %s", e, entry).isNotEqualTo(Extent.Kind.DATA);
                }
                if (e.kind() == Extent.Kind.DATA) {
                    assertThat(entry.data()).as("extent %s where qemu maps nothing: %s", e, entry).isTrue();
                }
            }
        }
        byte[] expected = Files.readAllBytes(raw);
        for (Extent e : extents) {
            if (e.kind() != Extent.Kind.DATA) {
                for (long i = e.offset(); i < e.end() && i < expected.length; i++) {
                    assertThat(expected[(int) i]).as("byte %d, inside %s", i, e).isZero();
                }
            }
        }
    }

    /** Bytes of {@code source} in DATA extents: what {@code describe().allocatedBytes()} must count. */
    public static long dataBytes(BlockSource source) throws IOException {
        return source.extents(0, source.size()).stream()
                .filter(e -> e.kind() == Extent.Kind.DATA).mapToLong(Extent::length).sum();
    }
}
