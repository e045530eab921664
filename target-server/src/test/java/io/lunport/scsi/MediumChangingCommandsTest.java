package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** WRITE AND VERIFY, COMPARE AND WRITE and ORWRITE, and the medium lock that orders them. */
class MediumChangingCommandsTest {

    private static final int SIZE = 1 << 20; // 2048 blocks of 512

    @TempDir
    Path dir;

    @Test
    void writeAndVerifyWritesInEveryForm() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        int[][] cdbs = {
            {0x2E, 0x02, 0, 0, 0, 4, 0, 0, 2, 0},
            {0xAE, 0x12, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0},
            {0x8E, 0x00, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 2, 0, 0},
        };
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            for (int[] cdb : cdbs) {
                byte[] data = new byte[1024];
                Arrays.fill(data, (byte) cdb[0]);
                assertGood(target.execute(TestTask.out(0, data, cdb)));
                assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 4 * 512, 6 * 512)).as("opcode %02x", cdb[0])
                        .isEqualTo(data);
            }
        }
    }

    @Test
    void writeAndVerifyRefusesWhatWriteRefuses() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(TestTask.out(0, new byte[512], 0x2E, 0x04, 0, 0, 0, 0, 0, 0, 1, 0)),
                    1, 2); // BYTCHK 10b
            assertInvalidCdbField(target.execute(TestTask.out(0, new byte[512], 0x2E, 0x06, 0, 0, 0, 0, 0, 0, 1, 0)),
                    1, 2); // BYTCHK 11b
            assertInvalidCdbField(target.execute(TestTask.out(0, new byte[512], 0x2E, 0x20, 0, 0, 0, 0, 0, 0, 1, 0)),
                    1, 7); // WRPROTECT
            assertSense(target.execute(TestTask.out(0, new byte[1024], 0x2E, 0x02, 0, 0, 0x07, 0xFF, 0, 0, 2, 0)),
                    0x5, 0x21, 0);
            assertGood(target.execute(TestTask.in(0, 0, 0x2E, 0x02, 0, 0, 0, 0, 0, 0, 0, 0)));
        }
        try (ScsiTargetDevice target = ScsiFixture.readOnly(file, 512)) {
            assertSense(target.execute(TestTask.out(0, new byte[512], 0x2E, 0x02, 0, 0, 0, 0, 0, 0, 1, 0)),
                    0x7, 0x27, 0);
        }
    }

    @Test
    void compareAndWriteWritesOnlyWhenTheMediumMatches() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            byte[] data = new byte[1024];
            System.arraycopy(raw, 7 * 512, data, 0, 512);
            Arrays.fill(data, 512, 1024, (byte) 'B');
            assertGood(target.execute(caw(data, 7, 1, 0)));
            assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 7 * 512, 8 * 512)).containsOnly('B');

            // the medium now holds 'B': comparing with the old data fails at byte 0 of a different one
            byte[] stale = data.clone();
            Arrays.fill(stale, 512, 1024, (byte) 'C');
            byte[] sense = assertSense(target.execute(caw(stale, 7, 1, 0)), 0xE, 0x1D, 0);
            assertThat(sense[0] & 0x80).as("VALID").isEqualTo(0x80);
            int firstDifferent = 0;
            while (stale[firstDifferent] == 'B') {
                firstDifferent++;
            }
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(firstDifferent);

            byte[] almost = new byte[1024];
            Arrays.fill(almost, (byte) 'B');
            almost[300] = 'x';
            sense = assertSense(target.execute(caw(almost, 7, 1, 0)), 0xE, 0x1D, 0);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(300);
            assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 7 * 512, 8 * 512)).containsOnly('B');

            // DPO and FUA are accepted (DPOFUA is set in the mode parameter header)
            almost[300] = 'B';
            assertGood(target.execute(caw(almost, 7, 1, 0x18)));
        }
    }

    @Test
    void compareAndWriteChecksLengthsAndFields() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            // more blocks than MAXIMUM COMPARE AND WRITE LENGTH
            assertInvalidCdbField(target.execute(caw(new byte[2048], 0, 2, 0)), 13, -1);
            // data-out of another length than twice the blocks, either way
            assertInvalidCdbField(target.execute(caw(new byte[2048], 0, 1, 0)), 13, -1);
            assertInvalidCdbField(target.execute(caw(new byte[512], 0, 1, 0)), 13, -1);
            // 0 blocks: nothing to do, unless the data-out could not belong to any COMPARE AND WRITE
            assertGood(target.execute(caw(new byte[512], 0, 0, 0x18)));
            assertInvalidCdbField(target.execute(caw(new byte[256 * 1024], 0, 0, 0)), 13, -1);
            assertInvalidCdbField(target.execute(caw(new byte[1024], 0, 1, 0x20)), 1, 7);
            assertSense(target.execute(caw(new byte[1024], 2048, 1, 0)), 0x5, 0x21, 0);
        }
        try (ScsiTargetDevice target = ScsiFixture.readOnly(file, 512)) {
            assertSense(target.execute(caw(new byte[1024], 0, 1, 0)), 0x7, 0x27, 0);
        }
    }

    /**
     * Compare-and-swap increments of a counter in one block from many threads: with an atomic
     * COMPARE AND WRITE no increment is lost, so the counter ends at the number of successes.
     */
    @Test
    void compareAndWriteIsAtomicUnderConcurrency() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        int threads = 8;
        int incrementsEach = 200;
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertGood(target.execute(TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 9, 0, 0, 1, 0)));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < incrementsEach; ) {
                            TestTask read = TestTask.in(0, 512, 0x28, 0, 0, 0, 0, 9, 0, 0, 1, 0);
                            assertGood(target.execute(read));
                            long seen = ByteBuffer.wrap(read.dataInBytes()).getLong(0);
                            byte[] data = new byte[1024];
                            ByteBuffer.wrap(data).putLong(0, seen).putLong(512, seen + 1);
                            if (target.execute(caw(data, 9, 1, 0)).isGood()) {
                                i++;
                            }
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(60, TimeUnit.SECONDS);
                }
            } finally {
                pool.shutdownNow();
            }
            TestTask read = TestTask.in(0, 512, 0x28, 0, 0, 0, 0, 9, 0, 0, 1, 0);
            assertGood(target.execute(read));
            assertThat(ByteBuffer.wrap(read.dataInBytes()).getLong(0)).isEqualTo((long) threads * incrementsEach);
        }
    }

    /** A plain WRITE waits while a read-compare-write command holds the LU exclusively. */
    @Test
    void writesWaitForAnExclusiveHolderOfTheMediumLock() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        LogicalUnit unit = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "SN0003");
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, unit))) {
            long stamp = unit.mediumLock().lockExclusive();
            CompletableFuture<ScsiStatus> write;
            try {
                write = CompletableFuture.supplyAsync(
                        () -> target.execute(TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0)));
                CompletableFuture<ScsiStatus> pending = write;
                assertThat(org.assertj.core.api.Assertions.catchThrowable(
                        () -> pending.get(200, TimeUnit.MILLISECONDS))).isInstanceOf(TimeoutException.class);
                // reads do not take the lock
                assertGood(target.execute(TestTask.in(0, 512, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0)));
            } finally {
                unit.mediumLock().unlockExclusive(stamp);
            }
            assertGood(write.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void orWriteMergesWithTheMedium() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        int blocks = 200; // 100 KiB: two chunks of the scratch buffer
        byte[] before = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertGood(target.execute(TestTask.out(0, new byte[blocks * 512], 0x2A, 0, 0, 0, 0, 1, 0, 0, blocks, 0)));
            byte[] a5 = new byte[blocks * 512];
            Arrays.fill(a5, (byte) 0xA5);
            assertGood(target.execute(orWrite(a5, 1, blocks, 0)));
            byte[] x5a = new byte[blocks * 512];
            Arrays.fill(x5a, (byte) 0x5A);
            assertGood(target.execute(orWrite(x5a, 1, blocks, 0x18)));
            byte[] raw = Files.readAllBytes(file);
            assertThat(Arrays.copyOfRange(raw, 512, (blocks + 1) * 512)).containsOnly(0xFF);
            assertThat(Arrays.copyOfRange(raw, (blocks + 1) * 512, (blocks + 2) * 512))
                    .isEqualTo(Arrays.copyOfRange(before, (blocks + 1) * 512, (blocks + 2) * 512));

            assertInvalidCdbField(target.execute(orWrite(new byte[512], 0, 1, 0x20)), 1, 7); // ORPROTECT
            assertSense(target.execute(orWrite(new byte[1024], 2047, 2, 0)), 0x5, 0x21, 0);
            assertGood(target.execute(orWrite(new byte[0], 0, 0, 0)));
        }
        try (ScsiTargetDevice target = ScsiFixture.readOnly(file, 512)) {
            assertSense(target.execute(orWrite(new byte[512], 0, 1, 0)), 0x7, 0x27, 0);
        }
    }

    private static TestTask caw(byte[] data, long lba, int blocks, int flags) {
        return TestTask.out(0, data, 0x89, flags, 0, 0, 0, 0, (int) (lba >>> 24) & 0xFF, (int) (lba >>> 16) & 0xFF,
                (int) (lba >>> 8) & 0xFF, (int) lba & 0xFF, 0, 0, 0, blocks, 0, 0);
    }

    private static TestTask orWrite(byte[] data, long lba, int blocks, int flags) {
        return TestTask.out(0, data, 0x8B, flags, 0, 0, 0, 0, (int) (lba >>> 24) & 0xFF, (int) (lba >>> 16) & 0xFF,
                (int) (lba >>> 8) & 0xFF, (int) lba & 0xFF, 0, 0, blocks >>> 8, blocks & 0xFF, 0, 0);
    }
}
