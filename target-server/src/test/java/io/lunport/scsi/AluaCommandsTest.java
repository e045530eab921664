package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.scsi.pr.ConflictTable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Implicit ALUA: REPORT TARGET PORT GROUPS, the TPGS bits and the port designators of VPD 0x83. */
class AluaCommandsTest {

    private static final ItNexus ON_PORTAL_2 =
            new ItNexus("iqn.2026-01.test:a", 0x400001370001L, "iqn.2026-11.io.lunport:t", 2);

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = ScsiFixture.rawFile(dir, "disk.raw", 1 << 20);
    }

    private static TestTask rtpg(int format, int allocation) {
        return TestTask.in(0, allocation, 0xA3, (format << 5) | 0x0A, 0, 0, 0, 0,
                allocation >>> 24, (allocation >>> 16) & 0xFF, (allocation >>> 8) & 0xFF, allocation & 0xFF, 0, 0);
    }

    /** One 12-byte descriptor: AO, AO_SUP only, group id, one port with that relative id. */
    private static int[] descriptor(int id) {
        return new int[] {0x00, 0x01, 0, id, 0, 0, 0, 1, 0, 0, 0, id};
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(Arrays::stream).toArray();
    }

    @Test
    void lengthOnlyFormatListsOneActiveOptimizedGroupPerPortal() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            target.portGroups(Set.of(2, 1));
            TestTask task = rtpg(0, 1024);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).containsExactly(concat(new int[] {0, 0, 0, 24}, descriptor(1), descriptor(2)));
        }
    }

    @Test
    void extendedFormatCarriesFormatTypeAndTransitionTime() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            target.portGroups(List.of(1, 2));
            TestTask task = rtpg(1, 1024);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes())
                    .containsExactly(concat(new int[] {0, 0, 0, 24, 0x10, 0, 0, 0}, descriptor(1), descriptor(2)));
        }
    }

    @Test
    void truncatedToAllocationLengthWithTheFullReturnDataLength() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            target.portGroups(List.of(1, 2));
            TestTask header = rtpg(0, 4);
            assertGood(target.execute(header));
            assertThat(header.dataInBytes()).containsExactly(0, 0, 0, 24);

            TestTask partial = rtpg(1, 14);
            assertGood(target.execute(partial));
            assertThat(partial.dataInBytes()).containsExactly(
                    Arrays.copyOf(concat(new int[] {0, 0, 0, 24, 0x10, 0, 0, 0}, descriptor(1)), 14));

            TestTask none = rtpg(0, 0);
            assertGood(target.execute(none));
            assertThat(none.dataInBytes()).isEmpty();
        }
    }

    @Test
    void beforeThePortalsAreKnownTheNexusOwnGroupIsReported() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = rtpg(0, 64).from(ON_PORTAL_2);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()).containsExactly(concat(new int[] {0, 0, 0, 12}, descriptor(2)));
        }
    }

    @Test
    void reservedParameterDataFormatsAreRefused() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(target.execute(rtpg(2, 64)), 1, 7);
            assertInvalidCdbField(target.execute(rtpg(7, 64)), 1, 7);
        }
    }

    @Test
    void reportSupportedOperationCodesListsIt() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            // REPORTING OPTIONS 010b: one command with service action
            TestTask task = TestTask.in(0, 64, 0xA3, 0x0C, 0x02, 0xA3, 0, 0x0A, 0, 0, 0, 64, 0, 0);
            assertGood(target.execute(task));
            byte[] r = task.dataInBytes();
            assertThat(r[1] & 0x07).isEqualTo(0x03); // SUPPORT: supported as in the standard
            assertThat(Arrays.copyOfRange(r, 4, 16)).containsExactly(
                    0xA3, 0xEA, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0);
        }
    }

    @Test
    void allowedUnderEveryPersistentReservation() {
        assertThat(ConflictTable.access(ByteBuffer.wrap(TestTask.bytes(0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0))))
                .isEqualTo(ConflictTable.Access.ALWAYS);
    }

    @Test
    void standardInquiryAnnouncesImplicitAlua() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            TestTask task = TestTask.in(0, 96, 0x12, 0, 0, 0, 96, 0);
            assertGood(target.execute(task));
            assertThat(task.dataInBytes()[5] & 0x30).isEqualTo(0x10); // TPGS 01b
        }
    }

    @Test
    void deviceIdentificationNamesTheSameLuAndThePortOfEachPath() throws Exception {
        try (ScsiTargetDevice target = ScsiFixture.writable(file, 512)) {
            target.portGroups(List.of(1, 2));
            List<byte[]> one = designators(vpd83(target, TestTask.NEXUS_A));
            List<byte[]> two = designators(vpd83(target, ON_PORTAL_2));
            // LU association (bits 5-4 of byte 1 zero): identical on both paths, NAA first
            assertThat(one.get(0)).isEqualTo(two.get(0));
            assertThat(one.get(0)[1] & 0x3F).isEqualTo(0x03);
            assertThat(luDesignators(one)).isNotEmpty();
            assertThat(luDesignators(one)).usingElementComparator(Arrays::compare).containsExactlyElementsOf(
                    luDesignators(two));
            // relative target port (type 4) and target port group (type 5), target port association
            assertThat(designator(one, 0x14)).containsExactly(0x51, 0x94, 0, 4, 0, 0, 0, 1);
            assertThat(designator(two, 0x14)).containsExactly(0x51, 0x94, 0, 4, 0, 0, 0, 2);
            assertThat(designator(one, 0x15)).containsExactly(0x01, 0x15, 0, 4, 0, 0, 0, 1);
            assertThat(designator(two, 0x15)).containsExactly(0x01, 0x15, 0, 4, 0, 0, 0, 2);
        }
    }

    private static byte[] vpd83(ScsiTargetDevice target, ItNexus nexus) {
        TestTask task = TestTask.in(0, 512, 0x12, 1, 0x83, 2, 0, 0).from(nexus);
        assertGood(target.execute(task));
        return task.dataInBytes();
    }

    private static List<byte[]> designators(byte[] page) {
        assertThat(ByteBuffer.wrap(page).getShort(2) & 0xFFFF).isEqualTo(page.length - 4);
        List<byte[]> list = new ArrayList<>();
        for (int i = 4; i < page.length; i += 4 + (page[i + 3] & 0xFF)) {
            list.add(Arrays.copyOfRange(page, i, i + 4 + (page[i + 3] & 0xFF)));
        }
        return list;
    }

    private static List<byte[]> luDesignators(List<byte[]> all) {
        return all.stream().filter(d -> (d[1] & 0x30) == 0).toList();
    }

    /** The one designator whose association and type (byte 1, bits 5-0) match. */
    private static byte[] designator(List<byte[]> all, int associationAndType) {
        List<byte[]> found = all.stream().filter(d -> (d[1] & 0x3F) == associationAndType).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }
}
