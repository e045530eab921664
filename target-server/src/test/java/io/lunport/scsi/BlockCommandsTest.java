package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlockCommandsTest {

    private static final int SIZE = 1 << 20; // 2048 blocks of 512

    @TempDir
    Path dir;

    @Test
    void read10ReturnsTheFileBytes() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 4 * 512, 0x28, 0, 0, 0, 0, 10, 0, 0, 4, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).isEqualTo(Arrays.copyOfRange(raw, 10 * 512, 14 * 512));
        }
    }

    @Test
    void everyReadFormDecodesLbaAndLength() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        int[][] cdbs = {
            {0x08, 0, 0, 7, 2, 0},
            {0x28, 0, 0, 0, 0, 7, 0, 0, 2, 0},
            {0xA8, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0},
            {0x88, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 2, 0, 0},
        };
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            for (int[] cdb : cdbs) {
                TestTask task = TestTask.in(0, 1024, cdb);
                assertGood(target.execute(task));
                assertThat(task.dataInBytes()).as("opcode %02x", cdb[0])
                        .isEqualTo(Arrays.copyOfRange(raw, 7 * 512, 9 * 512));
            }
        }
    }

    @Test
    void read6WithLengthZeroReads256Blocks() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 256 * 512, 0x08, 0, 0, 0, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.wantedIn).isEqualTo(256 * 512);
        }
    }

    @Test
    void writeThenReadRoundTripsThroughTheFile() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] data = new byte[2 * 4096];
        Arrays.fill(data, (byte) 0x5A);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 4096)) {
            assertGood(target.execute(TestTask.out(0, data, 0x8A, 0x08, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0)));
        }
        byte[] raw = Files.readAllBytes(file);
        assertThat(Arrays.copyOfRange(raw, 3 * 4096, 5 * 4096)).isEqualTo(data);
    }

    @Test
    void writeWithShortDataOutWritesOnlyCompleteBlocks() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] before = Files.readAllBytes(file);
        byte[] data = new byte[512 + 100];
        Arrays.fill(data, (byte) 'b');
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.out(0, data, 0x2A, 0, 0, 0, 0, 0, 0, 0, 2, 0);
            assertGood(target.execute(task));
            assertThat(task.wantedOut).isEqualTo(1024);
        }
        byte[] raw = Files.readAllBytes(file);
        assertThat(Arrays.copyOfRange(raw, 0, 512)).containsOnly('b');
        assertThat(Arrays.copyOfRange(raw, 512, 1024)).isEqualTo(Arrays.copyOfRange(before, 512, 1024));
    }

    @Test
    void rangeBeyondTheEndIsLbaOutOfRange() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            // last block is fine, one past it is not
            assertGood(target.execute(TestTask.in(0, 512, 0x28, 0, 0, 0, 0x07, 0xFF, 0, 0, 1, 0)));
            assertSense(target.execute(TestTask.in(0, 1024, 0x28, 0, 0, 0, 0x07, 0xFF, 0, 0, 2, 0)), 0x5, 0x21, 0);
            // zero blocks one past the end, and LBA 2^64-1 in READ(16)
            assertSense(target.execute(TestTask.in(0, 0, 0x28, 0, 0, 0, 0x08, 0x01, 0, 0, 0, 0)), 0x5, 0x21, 0);
            assertSense(target.execute(TestTask.in(0, 512, 0x88, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                    0, 0, 0, 1, 0, 0)), 0x5, 0x21, 0);
        }
    }

    @Test
    void zeroLengthTransferIsGoodWithoutData() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 0, 0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.wantedIn).isEqualTo(-1);
        }
    }

    @Test
    void protectionFieldAndOversizedTransferAreInvalidFields() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(TestTask.in(0, 512, 0x28, 0x20, 0, 0, 0, 0, 0, 0, 1, 0)), 1, 7);
            // 32769 blocks of 512 is one block over 16 MiB
            assertInvalidCdbField(target.execute(TestTask.in(0, 512, 0x28, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0)), 7, -1);
        }
    }

    @Test
    void writeToReadOnlyUnitIsWriteProtected() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.readOnly(file, 512)) {
            assertSense(target.execute(TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 0, 0, 0, 1, 0)), 0x7, 0x27, 0);
        }
    }

    @Test
    void readCapacity16ReportsLengthExponentAndLastLba() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 255, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 255, 0, 0);
            assertGood(target.execute(task));
            ByteBuffer d = ByteBuffer.wrap(task.dataInBytes());
            assertThat(d.limit()).isEqualTo(32);
            assertThat(d.getLong(0)).isEqualTo(2047);
            assertThat(d.getInt(8)).isEqualTo(512);
            assertThat(d.get(13)).isEqualTo((byte) 3); // 8 x 512 = 4096
            assertThat(d.get(14)).isZero(); // no LBPME: the device cannot deallocate

            TestTask truncated = TestTask.in(0, 255, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0);
            assertGood(target.execute(truncated));
            assertThat(truncated.dataInBytes()).hasSize(12);
        }
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 4096)) {
            TestTask task = TestTask.in(0, 32, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()[13]).isZero();
        }
    }

    @Test
    void readCapacity10() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).containsExactly(0, 0, 0x07, 0xFF, 0, 0, 0x02, 0);
        }
    }

    @Test
    void verifyComparesDataOutWithTheMedium() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            byte[] same = Arrays.copyOfRange(raw, 512, 3 * 512);
            assertGood(target.execute(TestTask.out(0, same, 0x2F, 0x02, 0, 0, 0, 1, 0, 0, 2, 0)));
            byte[] different = same.clone();
            different[700] ^= 1;
            byte[] sense = assertSense(target.execute(TestTask.out(0, different, 0x2F, 0x02, 0, 0, 0, 1, 0, 0, 2, 0)),
                    0xE, 0x1D, 0);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(700);
            // BYTCHK 0: range check only; beyond the end fails
            assertGood(target.execute(TestTask.in(0, 0, 0x8F, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)));
            assertSense(target.execute(TestTask.in(0, 0, 0x8F, 0, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 1, 0, 0)),
                    0x5, 0x21, 0);
        }
    }

    @Test
    void synchronizeCacheChecksTheRange() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertGood(target.execute(TestTask.in(0, 0, 0x35, 0x02, 0, 0, 0, 0, 0, 0, 0, 0)));
            assertSense(target.execute(TestTask.in(0, 0, 0x35, 0, 0, 0, 0x08, 0x01, 0, 0, 0, 0)), 0x5, 0x21, 0);
        }
    }

    @Test
    void unmapIsRefusedWhereTheDeviceCannotDeallocate() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] params = TestTask.bytes(0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertSense(target.execute(TestTask.out(0, params, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0)), 0x5, 0x20, 0);
        }
    }

    @Test
    void verify12DecodesLbaAndLengthAndComparesSingleBlocks() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            byte[] same = Arrays.copyOfRange(raw, 5 * 512, 8 * 512);
            assertGood(target.execute(TestTask.out(0, same, 0xAF, 0x12, 0, 0, 0, 5, 0, 0, 0, 3, 0, 0)));
            byte[] different = same.clone();
            different[3 * 512 - 1] ^= 0x40;
            byte[] sense = assertSense(target.execute(TestTask.out(0, different, 0xAF, 0x02, 0, 0, 0, 5, 0, 0, 0, 3,
                    0, 0)), 0xE, 0x1D, 0);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(3 * 512 - 1);
            // BYTCHK 11b: one block of data-out against each block of the range
            Files.write(file, new byte[3 * 512], java.nio.file.StandardOpenOption.WRITE);
            assertGood(target.execute(TestTask.out(0, new byte[512], 0xAF, 0x06, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0)));
            byte[] one = new byte[512];
            one[10] = 1;
            sense = assertSense(target.execute(TestTask.out(0, one, 0xAF, 0x06, 0, 0, 0, 0, 0, 0, 0, 3, 0, 0)),
                    0xE, 0x1D, 0);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(10);
            // VRPROTECT, BYTCHK 10b, and the range
            assertInvalidCdbField(target.execute(TestTask.in(0, 0, 0xAF, 0x20, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0)), 1, 7);
            assertInvalidCdbField(target.execute(TestTask.in(0, 0, 0xAF, 0x04, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0)), 1, 2);
            assertSense(target.execute(TestTask.in(0, 0, 0xAF, 0, 0, 0, 0x07, 0xFF, 0, 0, 0, 2, 0, 0)), 0x5, 0x21, 0);
        }
    }

    @Test
    void verifyComparesLongRangesAcrossScratchChunks() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] raw = Files.readAllBytes(file);
        int blocks = 300; // 150 KiB: three chunks of the 64 KiB scratch buffer
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            byte[] expected = Arrays.copyOfRange(raw, 0, blocks * 512);
            assertGood(target.execute(TestTask.out(0, expected, 0x2F, 0x02, 0, 0, 0, 0, 0, 0x01, 0x2C, 0)));
            expected[140_000] ^= 1;
            byte[] sense = assertSense(target.execute(TestTask.out(0, expected, 0x2F, 0x02, 0, 0, 0, 0, 0, 0x01,
                    0x2C, 0)), 0xE, 0x1D, 0);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(140_000);
        }
    }

    @Test
    void preFetchChecksTheRangeAndAnswersGood() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            // PRE-FETCH(10): IMMED and a group number, the last block, and 0 blocks = to the end
            assertGood(target.execute(TestTask.in(0, 0, 0x34, 0x02, 0, 0, 0, 0, 3, 0, 1, 0)));
            assertGood(target.execute(TestTask.in(0, 0, 0x34, 0, 0, 0, 0x07, 0xFF, 0, 0, 1, 0)));
            assertGood(target.execute(TestTask.in(0, 0, 0x34, 0, 0, 0, 0x07, 0x00, 0, 0, 0, 0)));
            assertSense(target.execute(TestTask.in(0, 0, 0x34, 0, 0, 0, 0x07, 0xFF, 0, 0, 2, 0)), 0x5, 0x21, 0);
            assertSense(target.execute(TestTask.in(0, 0, 0x34, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 1, 0)), 0x5, 0x21, 0);
            // PRE-FETCH(16)
            assertGood(target.execute(TestTask.in(0, 0, 0x90, 0x02, 0, 0, 0, 0, 0, 0, 0x07, 0xF0, 0, 0, 0, 0x10,
                    0, 0)));
            assertSense(target.execute(TestTask.in(0, 0, 0x90, 0, 0, 0, 0, 0, 0, 0, 0x07, 0xF0, 0, 0, 0, 0x11,
                    0, 0)), 0x5, 0x21, 0);
        }
    }

    @Test
    void readDefectDataReturnsAnEmptyListInTheRequestedFormat() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask ten = TestTask.in(0, 32, 0x37, 0, 0x18 | 0x05, 0, 0, 0, 0, 0, 32, 0);
            assertGood(target.execute(ten));
            assertThat(ten.dataInBytes()).containsExactly(0, 0x1D, 0, 0);
            TestTask headerOnly = TestTask.in(0, 32, 0x37, 0, 0, 0, 0, 0, 0, 0, 32, 0);
            assertGood(target.execute(headerOnly));
            assertThat(headerOnly.dataInBytes()).containsExactly(0, 0, 0, 0);
            TestTask twelve = TestTask.in(0, 64, 0xB7, 0x08 | 0x03, 0, 0, 0, 9, 0, 0, 0, 64, 0, 0);
            assertGood(target.execute(twelve));
            assertThat(twelve.dataInBytes()).containsExactly(0, 0x0B, 0, 0, 0, 0, 0, 0);
            TestTask truncated = TestTask.in(0, 64, 0xB7, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0);
            assertGood(target.execute(truncated));
            assertThat(truncated.dataInBytes()).hasSize(2);
            // vendor-specific and reserved formats
            assertInvalidCdbField(target.execute(TestTask.in(0, 32, 0x37, 0, 0x06, 0, 0, 0, 0, 0, 32, 0)), 2, 2);
            assertInvalidCdbField(target.execute(TestTask.in(0, 32, 0xB7, 0x07, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)), 1, 2);
        }
    }

    @Test
    void writeSameWithUnmapIsRefusedWhereTheDeviceCannotDeallocate() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(TestTask.out(0, new byte[512], 0x41, 0x08, 0, 0, 0, 0, 0, 0, 1, 0)), 1, 3);
            byte[] block = new byte[512];
            Arrays.fill(block, (byte) 7);
            assertGood(target.execute(TestTask.out(0, block, 0x41, 0, 0, 0, 0, 4, 0, 0, 2, 0)));
        }
        byte[] raw = Files.readAllBytes(file);
        byte[] expected = new byte[1024];
        Arrays.fill(expected, (byte) 7);
        assertThat(Arrays.copyOfRange(raw, 4 * 512, 6 * 512)).isEqualTo(expected);
    }
}
