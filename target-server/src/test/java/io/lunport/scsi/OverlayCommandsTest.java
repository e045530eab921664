package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.ForwardingBlockDevice;
import io.lunport.device.NoSpaceException;
import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The commands an overlay LU enables: UNMAP, WRITE SAME, GET LBA STATUS, and their VPD/capacity bits. */
class OverlayCommandsTest {

    private static final int SIZE = 1 << 20; // 2048 blocks of 512

    @TempDir
    Path dir;

    private byte[] raw;

    private ScsiTargetDevice overlayTarget() throws IOException {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        raw = Files.readAllBytes(file);
        OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(file), dir.resolve("disk.overlay"));
        return new ScsiTargetDevice(Map.of(0, new LogicalUnit(device, 512, "SN0003")));
    }

    private static byte[] read(ScsiTargetDevice target, int lba, int blocks) {
        TestTask task = TestTask.in(0, blocks * 512, 0x28, 0, lba >>> 24, lba >>> 16, lba >>> 8, lba, 0, blocks >>> 8, blocks, 0);
        assertGood(target.execute(task));
        return task.dataInBytes();
    }

    @Test
    void capacityAndVpdAdvertiseThinProvisioningWithWriteSame() throws Exception {
        try (ScsiTargetDevice target = overlayTarget()) {
            TestTask rc16 = TestTask.in(0, 32, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0);
            assertGood(target.execute(rc16));
            assertThat(rc16.dataInBytes()[14] & 0xC0).isEqualTo(0xC0); // LBPME, LBPRZ
            TestTask b2 = TestTask.in(0, 64, 0x12, 0x01, 0xB2, 0, 64, 0);
            assertGood(target.execute(b2));
            assertThat(b2.dataInBytes()[5] & 0xFF).isEqualTo(0x80 | 0x40 | 0x20 | 0x04); // LBPU LBPWS LBPWS10 LBPRZ
            TestTask b0 = TestTask.in(0, 64, 0x12, 0x01, 0xB0, 0, 64, 0);
            assertGood(target.execute(b0));
            ByteBuffer page = ByteBuffer.wrap(b0.dataInBytes());
            assertThat(page.get(4) & 1).isEqualTo(1);                 // WSNZ
            assertThat(page.getLong(36)).isEqualTo(32768);         // MAXIMUM WRITE SAME LENGTH = 16 MiB of blocks
            assertThat(page.getInt(20)).isEqualTo(1 << 20);          // MAXIMUM UNMAP LBA COUNT
        }
    }

    @Test
    void unmapThenReadGivesZerosWhereTheImageHasData() throws Exception {
        try (ScsiTargetDevice target = overlayTarget()) {
            byte[] params = TestTask.bytes(0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 32, 0, 0, 0, 0);
            assertGood(target.execute(TestTask.out(0, params, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0)));
            assertThat(read(target, 16, 32)).isEqualTo(new byte[32 * 512]);
            assertThat(read(target, 48, 8)).isEqualTo(Arrays.copyOfRange(raw, 48 * 512, 56 * 512));
        }
    }

    @Test
    void writeSameWritesTheBlockOverTheRangeAndWithUnmapDeallocates() throws Exception {
        try (ScsiTargetDevice target = overlayTarget()) {
            byte[] block = new byte[512];
            Arrays.fill(block, (byte) 0x6B);
            // WRITE SAME(10), LBA 100, 20 blocks
            assertGood(target.execute(TestTask.out(0, block, 0x41, 0, 0, 0, 0, 100, 0, 0, 20, 0)));
            byte[] expected = new byte[20 * 512];
            Arrays.fill(expected, (byte) 0x6B);
            assertThat(read(target, 100, 20)).isEqualTo(expected);
            // WRITE SAME(16) with UNMAP and a zero block: reads zeros, reported deallocated
            assertGood(target.execute(TestTask.out(0, new byte[512], 0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 64, 0, 0)));
            assertThat(read(target, 64, 64)).isEqualTo(new byte[64 * 512]);
            // WRITE SAME(16) NDOB + UNMAP: no data-out at all
            assertGood(target.execute(TestTask.in(0, 0, 0x93, 0x09, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 8, 0, 0)));
            assertThat(read(target, 512, 8)).isEqualTo(new byte[8 * 512]);
            // WRITE SAME(10) with UNMAP but a non-zero block: written, not deallocated
            assertGood(target.execute(TestTask.out(0, block, 0x41, 0x08, 0, 0, 0, 200, 0, 0, 8, 0)));
            assertThat(read(target, 200, 8)).isEqualTo(Arrays.copyOf(expected, 8 * 512));
            // 0 blocks (WSNZ), ANCHOR, beyond the end
            assertInvalidCdbField(target.execute(TestTask.out(0, block, 0x41, 0, 0, 0, 0, 0, 0, 0, 0, 0)), 7, -1);
            assertInvalidCdbField(target.execute(TestTask.out(0, block, 0x41, 0x10, 0, 0, 0, 0, 0, 0, 1, 0)), 1, 4);
            assertSense(target.execute(TestTask.out(0, block, 0x41, 0, 0, 0, 0x08, 0, 0, 0, 1, 0)), 0x5, 0x21, 0);
        }
    }

    @Test
    void getLbaStatusReportsMappedAndDeallocatedRuns() throws Exception {
        try (ScsiTargetDevice target = overlayTarget()) {
            // deallocate blocks 64..127
            assertGood(target.execute(TestTask.out(0, new byte[512], 0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0, 0, 64, 0, 0)));
            TestTask status = TestTask.in(0, 1024, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0);
            assertGood(target.execute(status));
            ByteBuffer b = ByteBuffer.wrap(status.dataInBytes());
            assertThat(b.getInt(0)).isEqualTo(4 + 3 * 16);
            assertThat(new long[] {b.getLong(8), b.getInt(16), b.get(20)}).containsExactly(0, 64, 0);
            assertThat(new long[] {b.getLong(24), b.getInt(32), b.get(36)}).containsExactly(64, 64, 1);
            assertThat(new long[] {b.getLong(40), b.getInt(48), b.get(52)}).containsExactly(128, 2048 - 128, 0);
            // starting inside the deallocated run; and out of range
            TestTask from = TestTask.in(0, 24, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 24, 0, 0);
            assertGood(target.execute(from));
            ByteBuffer f = ByteBuffer.wrap(from.dataInBytes());
            assertThat(new long[] {f.getLong(8), f.getInt(16), f.get(20)}).containsExactly(100, 28, 1);
            assertSense(target.execute(TestTask.in(0, 24, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 24, 0, 0)),
                    0x5, 0x21, 0);
        }
    }

    @Test
    void aFullyProvisionedLuReportsItsFilesHolesAsMapped() throws Exception {
        Path file = dir.resolve("sparse.raw");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[4096]).put(0, (byte) 1), 0); // data at the start, a hole after it
            ch.truncate(SIZE);
            ch.write(ByteBuffer.allocate(1), SIZE - 1);
        }
        io.lunport.device.DirectFileBlockDevice device = io.lunport.device.DirectFileBlockDevice.open(file);
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, new LogicalUnit(device, 512, "SN0004")))) {
            TestTask status = TestTask.in(0, 1024, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0);
            assertGood(target.execute(status));
            ByteBuffer b = ByteBuffer.wrap(status.dataInBytes());
            assertThat(b.getInt(0)).isEqualTo(4 + 16);
            assertThat(new long[] {b.getLong(8), b.getInt(16), b.get(20)}).containsExactly(0, 2048, 0);
        }
    }

    @Test
    void getLbaStatusStartsAtTheRequestedLbaAfterSingleUnmaps() throws Exception {
        try (ScsiTargetDevice target = overlayTarget()) {
            for (int i = 0; i + 8 <= 256; i += 8) {
                assertGood(target.execute(TestTask.out(0, new byte[264 * 512], 0x2A, 0, 0, 0, 0, 0, 0, 1, 8, 0)));
                byte[] params = TestTask.bytes(0, 22, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, i, 0, 0, 0, 8, 0, 0, 0, 0);
                assertGood(target.execute(TestTask.out(0, params, 0x42, 0, 0, 0, 0, 0, 0, 0, 24, 0)));
                for (int at : new int[] {i, i + 8}) {
                    TestTask status = TestTask.in(0, 24, 0x9E, 0x12, 0, 0, 0, 0, 0, 0, at >>> 8, at, 0, 0, 0, 24, 0, 0);
                    assertGood(target.execute(status));
                    ByteBuffer b = ByteBuffer.wrap(status.dataInBytes());
                    assertThat(b.getLong(8)).as("first LBA for a request at %d", at).isEqualTo(at);
                    assertThat(b.get(20)).isEqualTo((byte) (at == i ? 1 : 0));
                }
            }
        }
    }

    @Test
    void aFullFileSystemUnderTheDeviceIsSpaceAllocationFailed() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", SIZE);
        OverlayBlockDevice overlay = OverlayBlockDevice.open(RawBlockSource.open(file), dir.resolve("disk.overlay"));
        // The device as it behaves when the file system is full: the write path throws what the overlay throws on ENOSPC.
        ForwardingBlockDevice full = new ForwardingBlockDevice(overlay) {
            @Override
            public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
                throw new NoSpaceException(offset, "no space", new IOException("No space left on device"));
            }

            @Override
            public void flush() throws IOException {
                throw new NoSpaceException(0, "no space", new IOException("No space left on device"));
            }
        };
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, new LogicalUnit(full, 512, "SN0004")))) {
            byte[] sense = assertSense(target.execute(TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 9, 0, 0, 1, 0)),
                    SenseData.DATA_PROTECT, SenseData.ASC_WRITE_PROTECTED, SenseData.ASCQ_SPACE_ALLOCATION_FAILED);
            assertThat(ByteBuffer.wrap(sense).getInt(3)).isEqualTo(9); // the failing LBA
            assertSense(target.execute(TestTask.in(0, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0)),
                    SenseData.DATA_PROTECT, SenseData.ASC_WRITE_PROTECTED, SenseData.ASCQ_SPACE_ALLOCATION_FAILED);
        }
    }
}
