package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.it.ConformanceLog.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * A LUN without --direct or --read-only writes to its overlay: qemu-io writes and discards
 * over iSCSI, reads back, the server restarts and reads back again, and the image's
 * sha256sum never changes. libiscsi's families that the overlay enables run against it.
 */
class OverlayTest {
    static final long SIZE = 64L * TestImages.MIB;

    @ParameterizedTest
    @ValueSource(strings = {"raw", "qcow2", "vmdk", "vdi", "vpc", "vhdx"})
    void writesAndDiscardsSurviveARestartAndTheImageIsNeverChanged(String format) throws Exception {
        Path dir = Itwork.dir("overlay-" + format);
        Path raw = TestImages.holey(dir.resolve("source.raw"), SIZE, 21);
        Path image = raw;
        if (!format.equals("raw")) {
            image = dir.resolve("disk." + format);
            // force_size keeps qemu's VHD at the raw file's size instead of rounding it to a CHS geometry.
            List<String> options = format.equals("vpc") ? List.of("-o", "force_size=on") : List.of();
            List<String> convert = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", format));
            convert.addAll(options);
            convert.addAll(List.of(raw.toString(), image.toString()));
            Tools.check(convert.toArray(String[]::new));
            String inspected = Tools.check("java", "-jar", LunportProcess.jar().toString(), "inspect", "--json",
                    image.toString()).stdout();
            assertThat(inspected.replace(" ", "")).as("lunport reads the image as %s", format)
                    .contains("\"format\":\"" + format + "\"");
        }
        String before = sha256(image);
        Path state = Itwork.fresh(dir.resolve("state"));
        // 1M..1M+64k: 0xab; 5119k..5122k (unaligned, straddling data and hole): 0x5c; 8M..10M discarded
        String[] reads = {"read -P 0xab 1M 64k", "read -P 0x5c 5119k 3k", "read -P 0 8M 2M"};
        try (LunportProcess s = LunportProcess.builder("ov-" + format).lun("ov", image).stateDir(state).start()) {
            Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0x5c 5119k 3k",
                    "-c", "discard 8M 2M", "-c", "flush", s.url("ov"));
            for (String r : reads) {
                Tools.check("qemu-io", "-f", "raw", "-c", r, s.url("ov"));
            }
            // where nothing was written the image still shows through
            Tools.check("qemu-io", "-f", "raw", "-c", "read -v 12M 512", s.url("ov"));
        }
        assertThat(Files.exists(state.resolve("ov.overlay"))).isTrue();
        try (LunportProcess s = LunportProcess.builder("ov-" + format + "-2").lun("ov", image).stateDir(state).start()) {
            for (String r : reads) {
                Tools.check("qemu-io", "-f", "raw", "-c", r, s.url("ov"));
            }
            // the rest reads as the image: compare a stretch with the raw oracle
            Path copy = dir.resolve("readback.raw");
            Tools.check("qemu-img", "convert", "-f", "raw", "-O", "raw", s.url("ov"), copy.toString());
            byte[] got = Files.readAllBytes(copy);
            byte[] want = Files.readAllBytes(raw);
            java.util.Arrays.fill(want, 1 << 20, (1 << 20) + 65536, (byte) 0xab);
            java.util.Arrays.fill(want, 5119 * 1024, 5122 * 1024, (byte) 0x5c);
            java.util.Arrays.fill(want, 8 << 20, 10 << 20, (byte) 0);
            assertThat(java.util.Arrays.mismatch(got, want)).as("first differing byte through the overlay").isEqualTo(-1);
        }
        assertThat(sha256(image)).as("the image is never written").isEqualTo(before);
    }

    /**
     * GET LBA STATUS shows a raw image's holes as deallocated: qemu's iSCSI driver builds its
     * map from it, and that map equals qemu's map of the file itself (from SEEK_DATA).
     */
    @Test
    void getLbaStatusReportsTheRawImagesHolesAsQemuMapsTheFile() throws Exception {
        Path dir = Itwork.dir("overlay-holes");
        Path image = TestImages.holey(dir.resolve("holes.raw"), SIZE, 22);
        String fileMap = Tools.check("qemu-img", "map", "--output=json", "-f", "raw", image.toString()).stdout();
        assertThat(fileMap).as("the image has holes").contains("\"data\": false");
        try (LunportProcess s = LunportProcess.builder("ov-holes").lun("holes", image)
                .stateDir(Itwork.fresh(dir.resolve("state"))).start()) {
            String lunMap = Tools.check("qemu-img", "map", "--output=json", s.url("holes")).stdout();
            assertThat(lunMap).isEqualTo(fileMap);
        }
    }

    @Test
    void libiscsiFamiliesTheOverlayEnablesPass() throws Exception {
        Path dir = Itwork.dir("overlay-cu");
        Path image = TestImages.sparse(dir.resolve("cu.raw"), 1L << 30);
        String before = sha256(image);
        List<String> summary = new ArrayList<>();
        // 4096-byte blocks, as ConformanceTest's overlay LUN: libiscsi's GetLBAStatus.UnmapSingle
        // holds only for one logical block per physical block (docs/conformance.md).
        try (LunportProcess s = LunportProcess.builder("overlay-cu").lun("cu", image).arg("--block-size").arg("4096")
                .stateDir(Itwork.fresh(dir.resolve("state"))).start()) {
            ConformanceSkips skips = ConformanceSkips.read(ConformanceTest.DOCUMENT);
            List<String> unexpected = new ArrayList<>();
            for (String family : List.of("SCSI.Unmap", "SCSI.WriteSame10", "SCSI.WriteSame16", "SCSI.GetLBAStatus",
                    "SCSI.Write10", "SCSI.Write16", "SCSI.ReadCapacity16", "SCSI.Inquiry")) {
                Tools.Result r = Tools.run(Duration.ofMinutes(5), "iscsi-test-cu", "-v", "--dataloss", "--test=" + family,
                        "-i", ConformanceTest.INITIATOR_1, "-I", ConformanceTest.INITIATOR_2, s.url("cu"));
                Files.writeString(dir.resolve(family + ".log"), r.describe(), StandardCharsets.UTF_8);
                assertThat(r.timedOut()).as(family).isFalse();
                ConformanceLog log = ConformanceLog.parse("SCSI", r.stdout());
                assertThat(log.tests).as("%s ran", family).isNotEmpty();
                summary.add(String.format("%s: %d passed, %d skipped, %d failed", family, log.count(Status.PASS),
                        log.count(Status.SKIP), log.count(Status.FAIL)));
                unexpected.addAll(skips.disagreements(log, "overlay"));
            }
            Files.write(dir.resolve("summary.txt"), summary);
            assertThat(unexpected).as("failures on an overlay LUN (logs in %s)\n%s", dir, String.join("\n", summary)).isEmpty();
            assertThat(s.isAlive()).isTrue();
        }
        assertThat(sha256(image)).isEqualTo(before);
    }

    static String sha256(Path file) {
        return Tools.check("sha256sum", file.toString()).stdout().split(" ")[0];
    }
}
