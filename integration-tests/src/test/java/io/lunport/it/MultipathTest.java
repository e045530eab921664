package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.it.ConformanceLog.Status;
import io.lunport.it.ConformanceLog.TestResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * ALUA and multipath identity over two portals, 127.0.0.1 (portal group 1) and [::1] (portal
 * group 2): one LU, the same NAA designator on both paths, a different relative target port and
 * target port group on each, REPORT TARGET PORT GROUPS listing both, and libiscsi's MultipathIO
 * suite with one URL per portal.
 */
class MultipathTest {

    private static final String LUN = "mp";
    private static LunportProcess server;
    private static Path dir;

    @BeforeAll
    static void start() {
        dir = Itwork.dir("multipath");
        server = LunportProcess.builder("multipath").lun(LUN, TestImages.sparse(dir.resolve("mp.raw"), 256L << 20))
                .ipv6().start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url4() {
        return server.url(LUN);
    }

    private static String url6() {
        return "iscsi://[::1]:" + server.port6() + "/" + LunportProcess.iqn(LUN) + "/0";
    }

    @Test
    void iscsiInqShowsTheSameLuAndAnotherTargetPortOnEachPath() {
        byte[] page4 = Tools.check("iscsi-inq", "-e", "1", "-c", "131", url4()).stdoutBytes();
        byte[] page6 = Tools.check("iscsi-inq", "-e", "1", "-c", "131", url6()).stdoutBytes();
        String text4 = new String(page4, StandardCharsets.ISO_8859_1);
        String text6 = new String(page6, StandardCharsets.ISO_8859_1);
        // iscsi-inq prints each designator's raw bytes between the brackets: compare them as bytes.
        assertThat(hex(designatorPrinted(page4, "(3) NAA"))).as(text4).isNotEmpty()
                .isEqualTo(hex(designatorPrinted(page6, "(3) NAA")));
        assertThat(designatorPrinted(page4, "(1) T10_VENDORT_ID")).isEqualTo(designatorPrinted(page6, "(1) T10_VENDORT_ID"));
        // The target port: its name carries the portal group tag, and both port designators are there.
        assertThat(text4).contains("Designator:[" + LunportProcess.iqn(LUN) + ",t,0x0001]")
                .contains("(4) RELATIVE_TARGET_PORT").contains("(5) TARGET_PORT_GROUP");
        assertThat(text6).contains("Designator:[" + LunportProcess.iqn(LUN) + ",t,0x0002]")
                .contains("(4) RELATIVE_TARGET_PORT").contains("(5) TARGET_PORT_GROUP");
        // Standard INQUIRY: TPGS 01b, implicit ALUA.
        assertThat(Tools.check("iscsi-inq", url6()).stdout()).containsPattern("(?m)^TPGS:1$");
    }

    @Test
    void rawVpd83AndReportTargetPortGroupsOnBothPortals() throws IOException {
        byte[] vpd4;
        byte[] vpd6;
        byte[] rtpg4;
        byte[] rtpg6;
        try (IscsiWire w = login("127.0.0.1", server.port())) {
            vpd4 = read(w, new byte[] {0x12, 1, (byte) 0x83, 1, 0, 0}, 256);
            rtpg4 = read(w, new byte[] {(byte) 0xA3, 0x2A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 256);
        }
        try (IscsiWire w = login("::1", server.port6())) {
            vpd6 = read(w, new byte[] {0x12, 1, (byte) 0x83, 1, 0, 0}, 256);
            rtpg6 = read(w, new byte[] {(byte) 0xA3, 0x0A, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0}, 256);
        }
        // The LU designators (association 0) are byte for byte the same on both paths.
        assertThat(hex(designators(vpd4, 0, -1))).isNotEmpty().isEqualTo(hex(designators(vpd6, 0, -1)));
        // Relative target port (type 4) and target port group (type 5): 1 and 2.
        assertThat(hex(designators(vpd4, 1, 4))).isEqualTo("5194000400000001");
        assertThat(hex(designators(vpd6, 1, 4))).isEqualTo("5194000400000002");
        assertThat(hex(designators(vpd4, 1, 5))).isEqualTo("0115000400000001");
        assertThat(hex(designators(vpd6, 1, 5))).isEqualTo("0115000400000002");
        // RTPG: both groups, active/optimized, AO_SUP only, one port each; extended header on path 1.
        String groups = "0001000100000001" + "00000001" + "0001000200000001" + "00000002";
        assertThat(hex(rtpg4)).isEqualTo("00000018" + "10000000" + groups);
        assertThat(hex(rtpg6)).isEqualTo("00000018" + groups);
    }

    @Test
    void libiscsiMultipathIoSuiteOverBothPortals() throws IOException {
        Tools.Result r = Tools.run(Duration.ofMinutes(5), "iscsi-test-cu", "-v", "--dataloss",
                "--test=SCSI.MultipathIO", "-i", ConformanceTest.INITIATOR_1, "-I", ConformanceTest.INITIATOR_2,
                url4(), url6());
        Path raw = dir.resolve("SCSI.MultipathIO.log");
        Files.writeString(raw, r.describe(), StandardCharsets.UTF_8);
        assertThat(r.timedOut()).as("timed out; log %s", raw).isFalse();
        assertThat(r.stdout()).as("both paths identified as one LU; log %s", raw)
                .contains("found matching LU device identifier for all (2) paths");
        ConformanceLog log = ConformanceLog.parse("SCSI", r.stdout());
        assertThat(log.tests).as("tests parsed from %s", raw).hasSize(4);
        assertThat(log.summaryRan).isEqualTo(4);
        assertThat(log.summaryFailed).as("CUnit failures; log %s", raw).isZero();
        List<String> notPassing = new ArrayList<>();
        for (TestResult t : log.tests) {
            if (t.status() != Status.PASS) {
                notPassing.add(t.name() + " " + t.status() + ":\n" + t.log().strip());
            }
        }
        // Every test really passes: none fails, none is skipped (a skip would mean one path only).
        assertThat(notPassing).as("log %s", raw).isEmpty();
        assertThat(server.isAlive()).isTrue();
    }

    private static IscsiWire login(String host, int port) throws IOException {
        IscsiWire w = new IscsiWire(host, port, Duration.ofSeconds(10));
        w.login("iqn.2026-11.io.lunport:it-multipath", LunportProcess.iqn(LUN));
        return w;
    }

    private static byte[] read(IscsiWire w, byte[] cdb, int allocation) throws IOException {
        IscsiWire.ScsiResult r = w.scsiRead(cdb, allocation);
        assertThat(r.status()).as("status of %s", HexFormat.of().formatHex(cdb)).isZero();
        return r.data();
    }

    /** The designators of VPD 0x83 with this association (and type, or -1 for any), concatenated. */
    private static byte[] designators(byte[] page, int association, int type) {
        assertThat(page[1] & 0xFF).isEqualTo(0x83);
        int end = Math.min(page.length, 4 + (((page[2] & 0xFF) << 8) | (page[3] & 0xFF)));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 4; i + 4 <= end; i += 4 + (page[i + 3] & 0xFF)) {
            if (((page[i + 1] >> 4) & 3) == association && (type < 0 || (page[i + 1] & 0x0F) == type)) {
                out.write(page, i, 4 + (page[i + 3] & 0xFF));
            }
        }
        return out.toByteArray();
    }

    /** The raw bytes iscsi-inq printed between {@code Designator:[} and {@code ]} after the type line. */
    private static byte[] designatorPrinted(byte[] out, String typeLabel) {
        String text = new String(out, StandardCharsets.ISO_8859_1);
        int type = text.indexOf("Designator Type:" + typeLabel);
        assertThat(type).as(text).isNotNegative();
        String marker = "Designator:[";
        int start = text.indexOf(marker, type) + marker.length();
        int stop = text.indexOf("]\n", start);
        return Arrays.copyOfRange(out, start, stop);
    }

    private static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }
}
