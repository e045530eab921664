package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.BlockDevice;
import io.lunport.device.ForwardingBlockDevice;
import io.lunport.device.DirectFileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModeCommandsTest {

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = ScsiFixture.rawFile(dir, "disk.raw", 1 << 20);
    }

    private static TestTask modeSense6(int dbd, int pcAndPage, int subpage, int allocation) {
        return TestTask.in(0, allocation, 0x1A, dbd, pcAndPage, subpage, allocation, 0);
    }

    @Test
    void modeSense6AllPagesWithBlockDescriptor() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = modeSense6(0, 0x3F, 0, 192);
            assertGood(target.execute(task));
            byte[] d = task.dataInBytes();
            assertThat(d).hasSize(4 + 8 + 20 + 12 + 12);
            assertThat(d[0] & 0xFF).isEqualTo(d.length - 1);
            assertThat(d[2] & 0x80).isZero();
            assertThat(d[3]).isEqualTo((byte) 8);
            assertThat(ByteBuffer.wrap(d).getInt(4)).isEqualTo(2048);
            assertThat(ByteBuffer.wrap(d).getInt(8)).isEqualTo(512);
            assertThat(new int[] {d[12], d[32], d[44]}).containsExactly(0x08, 0x0A, 0x1C);
            assertThat(d[14] & 0x04).as("WCE").isEqualTo(0x04);

            TestTask four = modeSense6(0, 0x3F, 0, 4);
            assertGood(target.execute(four));
            assertThat(four.dataInBytes()).hasSize(4);
        }
    }

    @Test
    void modeSenseReportsWriteProtectAndHonoursDbdAndLlbaa() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.readOnly(file, 4096)) {
            TestTask task = modeSense6(0x08, 0x08, 0, 255);
            assertGood(target.execute(task));
            byte[] d = task.dataInBytes();
            assertThat(d).hasSize(4 + 20);
            assertThat(d[2] & 0x80).isEqualTo(0x80);

            TestTask ten = TestTask.in(0, 255, 0x5A, 0x10, 0x0A, 0, 0, 0, 0, 0, 255, 0);
            assertGood(target.execute(ten));
            ByteBuffer b = ByteBuffer.wrap(ten.dataInBytes());
            assertThat(b.limit()).isEqualTo(8 + 16 + 12);
            assertThat(b.get(4)).isEqualTo((byte) 1);
            assertThat(b.getShort(6)).isEqualTo((short) 16);
            assertThat(b.getLong(8)).isEqualTo(256);
            assertThat(b.getInt(20)).isEqualTo(4096);
        }
    }

    @Test
    void modeSenseErrors() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertSense(target.execute(modeSense6(0, 0xC8, 0, 255)), 0x5, 0x39, 0);
            assertInvalidCdbField(target.execute(modeSense6(0, 0x19, 0, 255)), 2, 5);
            assertInvalidCdbField(target.execute(modeSense6(0, 0x08, 0x01, 255)), 3, -1);
            assertGood(target.execute(modeSense6(0, 0x3F, 0xFF, 255)));
        }
    }

    /** A device that records the FUA flag of each write and passes it on to the real file. */
    private static final class FuaRecorder extends ForwardingBlockDevice {
        final List<Boolean> fua = new ArrayList<>();

        FuaRecorder(BlockDevice inner) {
            super(inner);
        }

        @Override
        public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
            fua.add(forceUnitAccess);
            super.write(offset, src, forceUnitAccess);
        }
    }

    @Test
    void clearingWceMakesEveryWriteFuaAndNotifiesOtherNexuses() throws Exception {
        FuaRecorder device = new FuaRecorder(DirectFileBlockDevice.open(file));
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, new LogicalUnit(device, 512, "SN")))) {
            TestTask write = TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0);
            assertGood(target.execute(write));
            assertGood(target.execute(write.from(TestTask.NEXUS_B)));

            TestTask current = modeSense6(0x08, 0x08, 0, 255);
            assertGood(target.execute(current));
            byte[] params = current.dataInBytes();
            params[0] = 0; // mode data length is reserved in MODE SELECT
            params[4 + 2] &= ~0x04;
            assertGood(target.execute(TestTask.out(0, params, 0x15, 0x10, 0, 0, params.length, 0)));

            assertGood(target.execute(write));
            assertSense(target.execute(write.from(TestTask.NEXUS_B)), 0x6, 0x2A, 0x01);
            assertThat(device.fua).containsExactly(false, false, true);

            target.resetLogicalUnit(0, TestTask.NEXUS_A);
            assertSense(target.execute(write), 0x6, 0x29, 0x03);
            assertGood(target.execute(write));
            assertThat(device.fua).endsWith(false);
        }
    }

    @Test
    void modeSelectRefusesUnchangeableFieldsWithAPointer() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask current = modeSense6(0x08, 0x0A, 0, 255);
            assertGood(target.execute(current));
            byte[] params = current.dataInBytes();
            params[0] = 0;
            params[4 + 3] ^= 0x02; // QERR
            ScsiStatus status = target.execute(TestTask.out(0, params, 0x15, 0x10, 0, 0, params.length, 0));
            byte[] sense = assertSense(status, 0x5, 0x26, 0);
            assertThat(Arrays.copyOfRange(sense, 15, 18)).containsExactly(0x88 | 1, 0, 7);

            assertInvalidCdbField(target.execute(TestTask.out(0, params, 0x15, 0x11, 0, 0, params.length, 0)), 1, 0);
            assertGood(target.execute(TestTask.out(0, new byte[0], 0x15, 0x10, 0, 0, 0, 0)));
        }
    }
}
