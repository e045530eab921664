package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import io.lunport.scsi.command.CommandEntry;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpcCommandsTest {

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = ScsiFixture.rawFile(dir, "disk.raw", 1 << 20);
    }

    private static TestTask inquiry(int lun, int evpd, int page, int allocation) {
        return TestTask.in(lun, allocation, 0x12, evpd, page, allocation >>> 8, allocation & 0xFF, 0);
    }

    @Test
    void standardInquiry() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = inquiry(0, 0, 0, 255);
            assertGood(target.execute(task));
            byte[] d = task.dataInBytes();
            assertThat(d).hasSize(96);
            assertThat(d[0]).isZero();
            assertThat(d[2]).isEqualTo((byte) 0x06);
            assertThat(d[3]).isEqualTo((byte) 0x12);
            assertThat(d[4] & 0xFF).isEqualTo(d.length - 5);
            assertThat(d[6] & 0x10).as("MULTIP: one LU behind a target port per portal").isEqualTo(0x10);
            assertThat(d[7] & 0x02).isEqualTo(0x02);
            assertThat(new String(d, 8, 8, StandardCharsets.US_ASCII)).isEqualTo("LUNPORT ");

            TestTask truncated = inquiry(0, 0, 0, 5);
            assertGood(target.execute(truncated));
            assertThat(truncated.dataInBytes()).hasSize(5);
        }
    }

    @Test
    void inquiryOfAbsentLunSaysNoUnitCanBeThere() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = inquiry(5, 0, 0, 36);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()[0]).isEqualTo((byte) 0x7F);
            assertSense(target.execute(TestTask.in(5, 0, 0x00, 0, 0, 0, 0, 0)), 0x5, 0x25, 0);
        }
    }

    @Test
    void vpdPagesAreAscendingAndHaveSbc3Lengths() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask list = inquiry(0, 1, 0x00, 255);
            assertGood(target.execute(list));
            assertThat(list.dataInBytes()).containsExactly(0, 0, 0, 6, 0x00, 0x80, 0x83, 0xB0, 0xB1, 0xB2);

            for (int page : new int[] {0xB0, 0xB1}) {
                TestTask task = inquiry(0, 1, page, 255);
                assertGood(target.execute(task));
                byte[] d = task.dataInBytes();
                assertThat(d).hasSize(64);
                assertThat(d[1] & 0xFF).isEqualTo(page);
                assertThat(d[3]).isEqualTo((byte) 0x3C);
            }
            TestTask b0 = inquiry(0, 1, 0xB0, 64);
            assertGood(target.execute(b0));
            ByteBuffer bl = ByteBuffer.wrap(b0.dataInBytes());
            assertThat(bl.getInt(8)).isEqualTo(32768); // 16 MiB of 512-byte blocks
            assertThat(bl.getInt(20)).isZero(); // no UNMAP without deallocation
            assertThat(bl.get(5)).isEqualTo((byte) 1); // MAXIMUM COMPARE AND WRITE LENGTH
            TestTask b1 = inquiry(0, 1, 0xB1, 64);
            assertGood(target.execute(b1));
            assertThat(ByteBuffer.wrap(b1.dataInBytes()).getShort(4)).isEqualTo((short) 1);

            TestTask serial = inquiry(0, 1, 0x80, 255);
            assertGood(target.execute(serial));
            assertThat(new String(serial.dataInBytes(), 4, 6, StandardCharsets.US_ASCII)).isEqualTo("SN0001");
        }
    }

    @Test
    void deviceIdentificationCarriesAStableNaa6() throws Exception {
        byte[] first;
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = inquiry(0, 1, 0x83, 255);
            assertGood(target.execute(task));
            first = task.dataInBytes();
        }
        assertThat(first[1]).isEqualTo((byte) 0x83);
        assertThat(ByteBuffer.wrap(first).getShort(2) & 0xFFFF).isEqualTo(first.length - 4);
        // first designator: binary, LU association, NAA, 16 bytes, NAA 6 with our company id
        assertThat(Arrays.copyOfRange(first, 4, 11)).containsExactly(0x01, 0x03, 0x00, 0x10, 0x60, 0x24, 0xC5);
        try (ScsiTargetDevice again = ScsiFixture.writable(file, 512)) {
            TestTask task = inquiry(0, 1, 0x83, 255);
            assertGood(again.execute(task));
            assertThat(task.dataInBytes()).isEqualTo(first);
        }
    }

    @Test
    void invalidInquiryFields() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(inquiry(0, 1, 0x42, 255)), 2, -1);
            assertInvalidCdbField(target.execute(inquiry(0, 0, 0x80, 255)), 2, -1);
            assertInvalidCdbField(target.execute(inquiry(0, 2, 0, 255)), 1, 1);
        }
    }

    @Test
    void unknownOpcodeServiceActionAndNaca() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertSense(target.execute(TestTask.in(0, 0, 0xC7, 0, 0, 0, 0, 0)), 0x5, 0x20, 0);
            assertInvalidCdbField(target.execute(TestTask.in(0, 32, 0x9E, 0x11, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32,
                    0, 0)), 1, 4);
            // NACA in the control byte of a 10-byte CDB carried in a 16-byte field
            assertInvalidCdbField(target.execute(TestTask.in(0, 0, 0x28, 0, 0, 0, 0, 0, 0, 0, 0, 0x04, 0, 0, 0, 0,
                    0, 0)), 9, 2);
        }
    }

    @Test
    void reportLunsFromAnAbsentLun() throws Exception {
        LogicalUnit a = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "A");
        LogicalUnit b = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "B");
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, a, 300, b))) {
            TestTask task = TestTask.in(7, 64, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).containsExactly(
                    0, 0, 0, 16, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0,
                    0x41, 0x2C, 0, 0, 0, 0, 0, 0);
            assertInvalidCdbField(target.execute(TestTask.in(0, 8, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0, 0)), 6, -1);
            assertInvalidCdbField(target.execute(TestTask.in(0, 64, 0xA0, 0, 3, 0, 0, 0, 0, 0, 0, 64, 0, 0)), 2, -1);
        }
    }

    @Test
    void reportSupportedOperationCodesListsExactlyTheTable() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 4096, 0xA3, 0x0C, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0);
            assertGood(target.execute(task));
            ByteBuffer d = ByteBuffer.wrap(task.dataInBytes());
            List<String> listed = new ArrayList<>();
            for (int i = 4; i < 4 + d.getInt(0); i += 8) {
                listed.add((d.get(i) & 0xFF) + "/" + ((d.get(i + 5) & 1) != 0 ? d.getShort(i + 2) : -1)
                        + "/" + d.getShort(i + 6));
            }
            List<String> table = target.commands().entries().stream()
                    .map(e -> e.opcode() + "/" + e.serviceAction() + "/" + e.cdbLength()).toList();
            assertThat(listed).isEqualTo(table).contains("40/-1/10", "158/16/16");

            // one command, with timeouts descriptor
            TestTask one = TestTask.in(0, 64, 0xA3, 0x0C, 0x82, 0x9E, 0, 0x10, 0, 0, 0, 64, 0, 0);
            assertGood(target.execute(one));
            byte[] r = one.dataInBytes();
            assertThat(r[1] & 0xFF).isEqualTo(0x83);
            assertThat(r).hasSize(4 + 16 + 12);
            assertThat(r[4] & 0xFF).isEqualTo(0x9E);
            TestTask unknown = TestTask.in(0, 64, 0xA3, 0x0C, 0x01, 0xC7, 0, 0, 0, 0, 0, 64, 0, 0);
            assertGood(target.execute(unknown));
            assertThat(unknown.dataInBytes()[1]).isEqualTo((byte) 0x01);
            assertInvalidCdbField(target.execute(TestTask.in(0, 64, 0xA3, 0x0C, 0x01, 0x9E, 0, 0, 0, 0, 0, 64, 0, 0)),
                    3, -1);
        }
    }

    @Test
    void reportSupportedTaskManagementFunctions() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 16, 0xA3, 0x0D, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).containsExactly(0xCA, 0, 0, 0);
        }
    }

    @Test
    void unitAttentionAfterLunResetReachesEveryNexusTheRequesterToo() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask tur = TestTask.in(0, 0, 0x00, 0, 0, 0, 0, 0);
            assertGood(target.execute(tur));
            assertGood(target.execute(tur.from(TestTask.NEXUS_B)));
            target.resetLogicalUnit(0, TestTask.NEXUS_A);

            assertSense(target.execute(tur), 0x6, 0x29, 0x03);
            assertGood(target.execute(tur));
            // INQUIRY does not consume it
            assertGood(target.execute(inquiry(0, 0, 0, 36).from(TestTask.NEXUS_B)));
            assertSense(target.execute(tur.from(TestTask.NEXUS_B)), 0x6, 0x29, 0x03);
            assertGood(target.execute(tur.from(TestTask.NEXUS_B)));
        }
    }

    @Test
    void requestSenseReturnsAndConsumesThePendingUnitAttention() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask rs = TestTask.in(0, 252, 0x03, 0, 0, 0, 252, 0).from(TestTask.NEXUS_B);
            assertGood(target.execute(rs));
            assertThat(rs.dataInBytes()[2]).isEqualTo((byte) 0);
            target.resetTarget(TestTask.NEXUS_A);

            TestTask desc = TestTask.in(0, 252, 0x03, 1, 0, 0, 252, 0).from(TestTask.NEXUS_B);
            assertGood(target.execute(desc));
            assertThat(desc.dataInBytes()).startsWith(0x72, 0x06, 0x29, 0x03);
            TestTask again = TestTask.in(0, 252, 0x03, 0, 0, 0, 252, 0).from(TestTask.NEXUS_B);
            assertGood(target.execute(again));
            assertThat(again.dataInBytes()[2]).isEqualTo((byte) 0);
        }
    }

    @Test
    void usageDataOfOneCommandShowsTheFieldsDecoded() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            // COMPARE AND WRITE: DPO and FUA (libiscsi checks them against DPOFUA), LBA, NUMBER OF LOGICAL BLOCKS
            assertThat(oneCommand(target, 0x89)).containsExactly(
                    0x89, 0xFA, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0xFF, 0, 0);
            // WRITE AND VERIFY(10): WRPROTECT, DPO, BYTCHK
            assertThat(oneCommand(target, 0x2E)).containsExactly(0x2E, 0xF6, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0xFF, 0xFF, 0);
            // PRE-FETCH(16): IMMED
            assertThat(oneCommand(target, 0x90)[1]).isEqualTo(0x02);
            assertThat(oneCommand(target, 0xAF)).hasSize(12);
            assertThat(oneCommand(target, 0xB7)).hasSize(12);
        }
    }

    private static int[] oneCommand(ScsiTargetDevice target, int opcode) {
        TestTask task = TestTask.in(0, 64, 0xA3, 0x0C, 0x01, opcode, 0, 0, 0, 0, 0, 64, 0, 0);
        assertGood(target.execute(task));
        byte[] r = task.dataInBytes();
        assertThat(r[1] & 0x07).isEqualTo(0x03);
        int[] usage = new int[((r[2] & 0xFF) << 8) | (r[3] & 0xFF)];
        for (int i = 0; i < usage.length; i++) {
            usage[i] = r[4 + i] & 0xFF;
        }
        return usage;
    }

    @Test
    void tableEntriesStartWithTheirOpcode() {
        for (CommandEntry e : StandardCommands.TABLE.entries()) {
            assertThat(e.usageData()[0] & 0xFF).isEqualTo(e.opcode());
        }
    }
}
