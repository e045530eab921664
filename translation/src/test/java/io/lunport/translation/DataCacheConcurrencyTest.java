package io.lunport.translation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.blockmap.ImageTests;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many threads read random parts of compressed clusters and grains of qemu-img-made images
 * through one data cache far smaller than the images' compressed units, so that slots are
 * evicted and refilled while other threads copy out of them; every byte must equal qemu's.
 * Two cluster sizes share the cache (64 KiB and 16 KiB slots).
 */
class DataCacheConcurrencyTest {

    private static final int SIZE = 16 << 20;
    private static final int THREADS = 8;
    private static final int READS_PER_THREAD = 4000;

    @TempDir
    Path dir;

    @Test
    void readersAgreeWithQemuWhileTheCacheEvictsUnderThem() throws Exception {
        Path raw = ImageTests.seededRaw(dir.resolve("source.raw"), SIZE, 42);
        Path[] images = {
            convert(raw, "deflate.qcow2", "-c", "-O", "qcow2", "-o", "compression_type=zlib"),
            convert(raw, "zstd16k.qcow2", "-c", "-O", "qcow2", "-o", "compression_type=zstd,cluster_size=16384"),
            convert(raw, "stream.vmdk", "-O", "vmdk", "-o", "subformat=streamOptimized"),
        };
        String[] formats = {"qcow2", "qcow2", "vmdk"};
        byte[][] want = new byte[images.length][];
        for (int i = 0; i < images.length; i++) {
            want[i] = Files.readAllBytes(ImageTests.qemuRaw(images[i], formats[i]));
        }
        // Two 64 KiB slots' worth for hundreds of compressed units per image, read by 8 threads.
        TranslationContext context = new TranslationContext(1 << 20, 128 << 10);
        ImageOpener opener = new ImageOpener(context);
        List<BlockSource> sources = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            for (Path image : images) {
                sources.add(opener.open(image));
            }
            List<Future<Integer>> jobs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 1000 + t;
                jobs.add(pool.submit(() -> readAndCompare(sources, want, new Random(seed))));
            }
            int compared = 0;
            for (Future<Integer> job : jobs) {
                compared += job.get(5, TimeUnit.MINUTES);
            }
            assertThat(compared).isEqualTo(THREADS * READS_PER_THREAD);
        } finally {
            pool.shutdownNow();
            for (BlockSource source : sources) {
                source.close();
            }
        }
        assertThat(context.dataStats().evictionCount()).as("evictions").isGreaterThan(1000);
        assertThat(context.dataStats().hitCount()).as("hits").isGreaterThan(1000);
        assertThat(context.dataBytes()).isLessThanOrEqualTo(2 * (128 << 10));
    }

    /** Reads inside one unit mostly (through the cache), some across units; a few hot units keep hits coming. */
    private static int readAndCompare(List<BlockSource> sources, byte[][] want, Random random) throws Exception {
        ByteBuffer heap = ByteBuffer.allocate(128 << 10);
        ByteBuffer direct = ByteBuffer.allocateDirect(128 << 10);
        for (int k = 0; k < READS_PER_THREAD; k++) {
            int i = random.nextInt(sources.size());
            long unit = random.nextInt(4) == 0 ? random.nextInt(4) : random.nextInt(SIZE >> 16);
            int kind = random.nextInt(8);
            // Long copies (most of a unit) widen the window in which an unpinned slot would be refilled under a reader.
            long at = (unit << 16) + (kind < 4 ? 1 + random.nextInt(2048) : random.nextInt(64 << 10));
            int n = (int) Math.min(SIZE - at, kind < 4 ? (60 << 10) + random.nextInt(2048)
                    : 1 + random.nextInt(kind == 7 ? 128 << 10 : 8 << 10));
            ByteBuffer dst = (random.nextBoolean() ? heap : direct).clear().limit(n);
            sources.get(i).read(at, dst);
            assertThat(dst.hasRemaining()).isFalse();
            dst.flip();
            for (int b = 0; b < n; b++) {
                if (dst.get(b) != want[i][(int) at + b]) {
                    throw new AssertionError("image " + i + ": byte at " + (at + b) + " is " + dst.get(b)
                            + ", qemu reads " + want[i][(int) at + b]);
                }
            }
        }
        return READS_PER_THREAD;
    }

    private Path convert(Path raw, String name, String... options) throws Exception {
        Path out = dir.resolve(name);
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
        command.addAll(List.of(options));
        command.add(raw.toString());
        command.add(out.toString());
        ImageTests.run(command.toArray(String[]::new));
        return out;
    }
}
