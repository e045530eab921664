package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.RawBlockSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments, many times (seeded, bounded): a child JVM ({@link CrashChild})
 * writes, deallocates and flushes through an overlay and prints what it may claim; the parent
 * kills it, reopens the overlay (which must open cleanly) and checks every block: it holds
 * what the last durably acknowledged op covering it wrote (or, where none did, what the
 * previous round left), or what a later op that had at least begun wrote; never anything
 * else, and never a block no op wrote.
 */
class CrashTest {

    private static final int ROUNDS = 12;

    @TempDir
    Path dir;

    @Test
    void everyAcknowledgedWriteSurvivesKillNineAndNothingElseAppears() throws Exception {
        byte[] image = new byte[CrashOps.BLOCKS * 512];
        for (int b = 0; b < CrashOps.BLOCKS; b++) {
            System.arraycopy(CrashOps.block(0, b), 0, image, b * 512, 512);
        }
        Path imagePath = Images.rawImage(dir, "disk.raw", image);
        Path overlayPath = dir.resolve("disk.overlay");
        long[] baseline = new long[CrashOps.BLOCKS]; // all image (0)
        Random random = new Random(20261101);
        int durableChecked = 0;
        for (int round = 1; round <= ROUNDS; round++) {
            long seed = random.nextLong();
            long firstId = round * 1_000_000L;
            List<String> lines = runAndKill(imagePath, overlayPath, seed, firstId, 100 + random.nextInt(900));
            assertThat(lines).as("round %d child output", round).contains("READY");

            long begun = firstId - 1;
            long flushedUpTo = firstId - 1;
            Set<Long> acknowledged = new HashSet<>();
            for (String line : lines) {
                String[] f = line.split(" ");
                if (f.length != 2) {
                    continue;
                }
                long id = Long.parseLong(f[1]);
                switch (f[0]) {
                    case "B" -> begun = Math.max(begun, id);
                    case "A" -> acknowledged.add(id);
                    case "F" -> flushedUpTo = Math.max(flushedUpTo, id);
                    default -> { }
                }
            }
            CrashOps ops = new CrashOps(seed, firstId);
            List<CrashOps.Op> done = new ArrayList<>();
            for (long id = firstId; id <= begun; id++) {
                done.add(ops.next());
            }
            // per block: the value guaranteed, and the values allowed after it
            long[] guaranteed = baseline.clone();
            int[] guaranteedIndex = new int[CrashOps.BLOCKS];
            java.util.Arrays.fill(guaranteedIndex, -1);
            for (int i = 0; i < done.size(); i++) {
                CrashOps.Op op = done.get(i);
                if (op.id() <= flushedUpTo || acknowledged.contains(op.id())) {
                    for (int b = op.firstBlock(); b < op.firstBlock() + op.blocks(); b++) {
                        guaranteed[b] = op.deallocate() ? CrashOps.ZERO : op.id();
                        guaranteedIndex[b] = i;
                    }
                }
            }
            List<Set<Long>> later = new ArrayList<>();
            for (int b = 0; b < CrashOps.BLOCKS; b++) {
                later.add(new HashSet<>());
            }
            for (int i = 0; i < done.size(); i++) {
                CrashOps.Op op = done.get(i);
                for (int b = op.firstBlock(); b < op.firstBlock() + op.blocks(); b++) {
                    if (i > guaranteedIndex[b]) {
                        later.get(b).add(op.deallocate() ? CrashOps.ZERO : op.id());
                    }
                }
            }

            byte[] content = new byte[image.length];
            try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
                device.read(0, ByteBuffer.wrap(content));
            }
            for (int b = 0; b < CrashOps.BLOCKS; b++) {
                Long value = CrashOps.decode(content, b * 512, b);
                assertThat(value).as("round %d block %d holds data no op wrote", round, b).isNotNull();
                if (value != guaranteed[b]) {
                    assertThat(later.get(b)).as("round %d block %d: found %d, guaranteed %d", round, b, value,
                            guaranteed[b]).contains(value);
                } else if (guaranteedIndex[b] >= 0) {
                    durableChecked++;
                }
                baseline[b] = value;
            }
            assertThat(new java.io.File(overlayPath + ".new")).doesNotExist();
        }
        assertThat(durableChecked).as("blocks whose durable value was checked").isGreaterThan(1000);
    }

    private static List<String> runAndKill(Path image, Path overlay, long seed, long firstId, int runMillis)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                CrashChild.class.getName(), image.toString(), overlay.toString(), Long.toString(seed),
                Long.toString(firstId)).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<String> lines = new ArrayList<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII));
        Thread collector = new Thread(() -> {
            try {
                String line;
                while ((line = reader.readLine()) != null) {
                    synchronized (lines) {
                        lines.add(line);
                    }
                }
            } catch (java.io.IOException e) {
                // the child died: what arrived is what it claimed
            }
        });
        collector.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            synchronized (lines) {
                if (lines.contains("READY")) {
                    break;
                }
            }
            if (!child.isAlive()) {
                break;
            }
            Thread.sleep(5);
        }
        Thread.sleep(runMillis);
        // SIGKILL through the handle: Process.destroyForcibly() would also close our end of the
        // child's stdout and lose the claims still in the pipe (a begun op the parent never hears of).
        child.toHandle().destroyForcibly();
        assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        collector.join(30_000);
        synchronized (lines) {
            // A last line cut by the kill claims less, never more: ids of one round have the same
            // number of digits, so a shortened id is not one of the round's ops.
            return new ArrayList<>(lines);
        }
    }
}
