package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.RawBlockSource;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writers that share grains but never bytes (thread t owns the 512-byte blocks b with
 * b % THREADS == t), so every write is a racing copy-on-write of a grain another thread is
 * also writing; and readers that check every block they see is either the image's or one
 * some writer wrote, never zeros or a mix that copy-on-write could expose.
 */
class ConcurrencyTest {

    private static final int THREADS = 8;
    private static final int BLOCKS = 4096; // 2 MiB
    private static final int SIZE = BLOCKS * 512;

    @TempDir
    Path dir;

    /** Block b written in round v (v > 0): every long is (v << 32 | b), so a block is recognizable whole. */
    static byte[] pattern(int block, int version) {
        ByteBuffer b = ByteBuffer.allocate(512);
        for (int i = 0; i < 64; i++) {
            b.putLong(((long) version << 32) | block);
        }
        return b.array();
    }

    @Test
    void writersSharingGrainsAndReadersSeeOnlyWholeBlocksAndTheModelWins() throws Exception {
        byte[] image = new byte[SIZE];
        for (int b = 0; b < BLOCKS; b++) {
            System.arraycopy(pattern(b, 0), 0, image, b * 512, 512);
        }
        Path imagePath = Images.rawImage(dir, "disk.raw", image);
        Path overlayPath = dir.resolve("disk.overlay");
        int[] lastVersion = new int[BLOCKS];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS + 2);
        AtomicBoolean done = new AtomicBoolean();
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            List<Future<?>> writers = new ArrayList<>();
            CyclicBarrier phase = new CyclicBarrier(THREADS);
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                writers.add(pool.submit(() -> {
                    Random random = new Random(thread);
                    for (int i = 1; i <= 1500; i++) {
                        int block = random.nextInt(BLOCKS / THREADS) * THREADS + thread;
                        device.write(block * 512L, ByteBuffer.wrap(pattern(block, i)), i % 50 == 0);
                        lastVersion[block] = i; // each block has one writer: no race on the model
                        if (i % 300 == 0) {
                            device.flush();
                        }
                    }
                    // then, once all are done, whole grains per thread in parallel: grains g with g % THREADS == thread
                    phase.await();
                    for (int g = thread; g < BLOCKS / 8; g += THREADS) {
                        ByteBuffer grain = ByteBuffer.allocate(4096);
                        for (int k = 0; k < 8; k++) {
                            grain.put(pattern(g * 8 + k, 100_000));
                        }
                        device.write(g * 4096L, grain.flip(), false);
                    }
                    return null;
                }));
            }
            List<Future<Integer>> readers = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int seed = 100 + r;
                readers.add(pool.submit(() -> {
                    Random random = new Random(seed);
                    int checked = 0;
                    while (!done.get()) {
                        int first = random.nextInt(BLOCKS - 16);
                        ByteBuffer dst = ByteBuffer.allocate(16 * 512);
                        device.read(first * 512L, dst);
                        for (int k = 0; k < 16; k++) {
                            ByteBuffer block = ByteBuffer.wrap(dst.array(), k * 512, 512);
                            long word = block.getLong(k * 512);
                            int version = (int) (word >>> 32);
                            assertThat((int) word).as("block %d", first + k).isEqualTo(first + k);
                            byte[] got = new byte[512];
                            System.arraycopy(dst.array(), k * 512, got, 0, 512);
                            assertThat(got).as("block %d version %d", first + k, version)
                                    .isEqualTo(pattern(first + k, version));
                            checked++;
                        }
                    }
                    return checked;
                }));
            }
            for (Future<?> w : writers) {
                w.get();
            }
            done.set(true);
            for (Future<Integer> r : readers) {
                assertThat(r.get()).isPositive();
            }
            verify(device, lastVersion);
        } finally {
            pool.shutdownNow();
        }
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            verify(device, lastVersion);
        }
    }

    private static void verify(OverlayBlockDevice device, int[] lastVersion) throws Exception {
        ByteBuffer all = ByteBuffer.allocate(SIZE);
        device.read(0, all);
        for (int b = 0; b < BLOCKS; b++) {
            byte[] got = new byte[512];
            System.arraycopy(all.array(), b * 512, got, 0, 512);
            assertThat(got).as("block %d", b).isEqualTo(pattern(b, 100_000));
        }
        assertThat(lastVersion).isNotEmpty();
    }
}
