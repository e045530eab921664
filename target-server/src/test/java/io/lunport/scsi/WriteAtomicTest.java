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

/** WRITE ATOMIC(16) against a raw file, and the Block Limits fields that describe it. */
class WriteAtomicTest {

    private static final int SIZE = 4 << 20; // 8192 blocks of 512

    @TempDir
    Path dir;

    static TestTask writeAtomic(long lba, int blocks, byte[] data) {
        ByteBuffer cdb = ByteBuffer.allocate(16);
        cdb.put(0, (byte) 0x9C);
        cdb.putLong(2, lba);
        cdb.putShort(12, (short) blocks);
        int[] bytes = new int[16];
        for (int i = 0; i < 16; i++) {
            bytes[i] = cdb.get(i) & 0xFF;
        }
        return TestTask.out(0, data, bytes);
    }

    @Test
    void blockLimitsAdvertiseWholePhysicalBlocksUpToOneMebibyte() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 255, 0x12, 1, 0xB0, 0, 255, 0);
            assertGood(target.execute(task));
            ByteBuffer p = ByteBuffer.wrap(task.dataInBytes());
            assertThat(p.getInt(44)).as("MAXIMUM ATOMIC TRANSFER LENGTH").isEqualTo(2048);
            assertThat(p.getInt(48)).as("ATOMIC ALIGNMENT").isEqualTo(8);
            assertThat(p.getInt(52)).as("ATOMIC TRANSFER LENGTH GRANULARITY").isEqualTo(8);
            assertThat(p.getInt(56)).as("no atomic boundaries").isZero();
            assertThat(p.getInt(44)).isLessThanOrEqualTo(p.getInt(8)); // within MAXIMUM TRANSFER LENGTH
        }
    }

    @Test
    void writesAlignedWholePhysicalBlocks() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] data = new byte[16 * 512];
        Arrays.fill(data, (byte) 0xA6);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertGood(target.execute(writeAtomic(8, 16, data)));
        }
        assertThat(Arrays.copyOfRange(Files.readAllBytes(file), 8 * 512, 24 * 512)).isEqualTo(data);
    }

    @Test
    void refusesMisalignedShortOrTooLongWritesAndTouchesNothing() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        byte[] before = Files.readAllBytes(file);
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(writeAtomic(1, 8, new byte[8 * 512])), 2, -1);
            assertInvalidCdbField(target.execute(writeAtomic(0, 1, new byte[512])), 12, -1);
            assertInvalidCdbField(target.execute(writeAtomic(0, 2056, new byte[2056 * 512])), 12, -1);
            assertInvalidCdbField(target.execute(writeAtomic(0, 8, new byte[7 * 512])), 12, -1);
            assertSense(target.execute(writeAtomic(8184, 16, new byte[16 * 512])), SenseData.ILLEGAL_REQUEST,
                    SenseData.ASC_LBA_OUT_OF_RANGE, 0);
        }
        assertThat(Files.readAllBytes(file)).isEqualTo(before);
    }
}
