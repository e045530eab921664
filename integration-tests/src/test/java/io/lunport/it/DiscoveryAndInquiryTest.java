package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Discovery (SendTargets through iscsi-ls), standard and VPD INQUIRY through iscsi-inq and
 * the raw wire client, and READ CAPACITY(16), against one server with two LUNs.
 *
 * <p>iscsi-inq's {@code -c} takes a decimal page code: {@code -c 0x80} silently parses as 0
 * and prints page 0x00. So pages are given as 128 (0x80), 131 (0x83), 176 (0xb0).
 */
class DiscoveryAndInquiryTest {
    static final long ALPHA_SIZE = 64L * TestImages.MIB;
    static final long BETA_SIZE = 32L * TestImages.MIB;
    static Path dir;
    static Path alpha;
    static Path beta;
    static LunportProcess server;

    @BeforeAll
    static void start() {
        dir = Itwork.dir("discovery");
        alpha = TestImages.holey(dir.resolve("alpha.raw"), ALPHA_SIZE, 1);
        beta = TestImages.holey(dir.resolve("beta.raw"), BETA_SIZE, 2);
        server = LunportProcess.builder("discovery").lun("alpha", alpha).lun("beta", beta).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void servingLineNamesThePortal() {
        assertThat(server.servingLine()).startsWith("lunport: serving").contains("127.0.0.1:" + server.port());
    }

    @Test
    void iscsiLsListsBothTargetsWithTheirPortalAndLun() {
        String out = Tools.check("iscsi-ls", "-s", server.portalUrl()).stdout();
        for (String name : List.of("alpha", "beta")) {
            assertThat(out).as(out).containsPattern(
                    "Target:" + java.util.regex.Pattern.quote(LunportProcess.iqn(name))
                            + " Portal:127\\.0\\.0\\.1:" + server.port() + ",\\d+\\R"
                            + "Lun:0\\s+Type:DIRECT_ACCESS");
        }
        assertThat(out.lines().filter(l -> l.startsWith("Target:"))).as(out).hasSize(2);
    }

    @Test
    void iscsiLsUrlModePrintsLunUrls() {
        String out = Tools.check("iscsi-ls", "--url", server.portalUrl()).stdout();
        assertThat(out).as(out).contains(server.url("alpha")).contains(server.url("beta"));
    }

    @Test
    void standardInquiry() {
        String out = Tools.check("iscsi-inq", server.url("alpha")).stdout();
        assertThat(out).as(out)
                .contains("Peripheral Device Type:DIRECT_ACCESS")
                .containsPattern("(?m)^Vendor:LUNPORT\\s*$")
                .containsPattern("(?m)^Product:\\S+");
    }

    @Test
    void supportedVpdPagesListTheOnesInitiatorsNeed() {
        String out = Tools.check("iscsi-inq", "-e", "1", "-c", "0", server.url("alpha")).stdout();
        assertThat(out).as(out).contains("Page:0x00 ", "Page:0x80 ", "Page:0x83 ", "Page:0xb0 ");
    }

    @Test
    void unitSerialNumberIsPresentAndDiffersPerLun() {
        String a = serial(server, "alpha");
        String b = serial(server, "beta");
        assertThat(a).isNotBlank();
        assertThat(b).isNotBlank().isNotEqualTo(a);
    }

    @Test
    void deviceIdentificationHasAnNaaDesignatorUniquePerLun() throws IOException {
        String out = Tools.check("iscsi-inq", "-e", "1", "-c", "131", server.url("alpha")).stdout();
        assertThat(out).as(out).contains("Page Code:(0x83) DEVICE_IDENTIFICATION")
                .containsPattern("Association:\\(0\\) LOGICAL_UNIT\\RDesignator Type:\\(3\\) NAA");
        byte[] a = naa(server, "alpha");
        byte[] b = naa(server, "beta");
        assertThat(a).isNotEqualTo(b);
    }

    @Test
    void blockLimitsPage() {
        String out = Tools.check("iscsi-inq", "-e", "1", "-c", "176", server.url("alpha")).stdout();
        assertThat(out).as(out).containsPattern("(?m)^maximum transfer length:\\d+")
                .containsPattern("(?m)^optimal transfer length granularity:\\d+");
    }

    @Test
    void vpdPagesAreWhatWindowsAccepts() throws IOException {
        try (IscsiWire w = login(server, "alpha")) {
            // Windows asks VPD 0x00 with length 255 and wants the list ascending from 0x00.
            IscsiWire.ScsiResult r0 = w.scsiRead(inquiryVpd(0x00), 255);
            assertThat(r0.status()).isZero();
            byte[] page0 = r0.data();
            int n = ((page0[2] & 0xff) << 8) | (page0[3] & 0xff);
            assertThat(page0.length).isEqualTo(4 + n);
            List<Integer> pages = new java.util.ArrayList<>();
            for (int i = 4; i < page0.length; i++) {
                pages.add(page0[i] & 0xff);
            }
            assertThat(pages).startsWith(0x00).isSorted().doesNotHaveDuplicates().contains(0x80, 0x83);
            if (pages.contains(0xb1)) {
                // Windows drops VPD B1 unless its page length is 0x3C (tgt sends 0x40).
                IscsiWire.ScsiResult b1 = w.scsiRead(inquiryVpd(0xb1), 255);
                assertThat(b1.status()).isZero();
                assertThat(((b1.data()[2] & 0xff) << 8) | (b1.data()[3] & 0xff)).as("VPD B1 page length").isEqualTo(0x3c);
            }
        }
    }

    @Test
    void readCapacity16ReportsBlocksAnd4kPhysicalBlocks() {
        String out = Tools.check("iscsi-readcapacity16", server.url("alpha")).stdout();
        assertThat(out).as(out)
                .contains("RETURNED LOGICAL BLOCK ADDRESS:" + (ALPHA_SIZE / 512 - 1) + "\n")
                .contains("LOGICAL BLOCK LENGTH IN BYTES:512\n")
                .contains("LOGICAL BLOCKS PER PHYSICAL BLOCK EXPONENT:3\n");
        String size = Tools.check("iscsi-readcapacity16", "-s", server.url("beta")).stdout().trim();
        assertThat(size).isEqualTo(Long.toString(BETA_SIZE));
    }

    @Test
    void identityIsStableAcrossRestart() throws IOException {
        Path image = TestImages.holey(dir.resolve("gamma.raw"), 16L * TestImages.MIB, 3);
        Path state = Itwork.fresh(dir.resolve("gamma-state"));
        String serial1;
        byte[] naa1;
        String page83a;
        try (LunportProcess s = LunportProcess.builder("gamma1").lun("gamma", image).stateDir(state).start()) {
            serial1 = serial(s, "gamma");
            naa1 = naa(s, "gamma");
            page83a = Tools.check("iscsi-inq", "-e", "1", "-c", "131", s.url("gamma")).stdout();
        }
        try (LunportProcess s = LunportProcess.builder("gamma2").lun("gamma", image).stateDir(state).start()) {
            assertThat(serial(s, "gamma")).isEqualTo(serial1);
            assertThat(HexFormat.of().formatHex(naa(s, "gamma"))).isEqualTo(HexFormat.of().formatHex(naa1));
            assertThat(Tools.check("iscsi-inq", "-e", "1", "-c", "131", s.url("gamma")).stdout()).isEqualTo(page83a);
        }
    }

    @Test
    void ipv6PortalServesToo() {
        Path image = TestImages.holey(dir.resolve("delta.raw"), 8L * TestImages.MIB, 4);
        try (LunportProcess s = LunportProcess.builder("ipv6").lun("delta", image).ipv6().start()) {
            String v6 = "iscsi://[::1]:" + s.port6();
            String ls = Tools.check("iscsi-ls", "-s", v6).stdout();
            assertThat(ls).as(ls).contains("Target:" + LunportProcess.iqn("delta"));
            String inq = Tools.check("iscsi-inq", v6 + "/" + LunportProcess.iqn("delta") + "/0").stdout();
            assertThat(inq).as(inq).containsPattern("(?m)^Vendor:LUNPORT");
            assertThat(Tools.check("iscsi-inq", s.url("delta")).stdout()).containsPattern("(?m)^Vendor:LUNPORT");
        }
    }

    static String serial(LunportProcess s, String lun) {
        String out = Tools.check("iscsi-inq", "-e", "1", "-c", "128", s.url(lun)).stdout();
        var m = java.util.regex.Pattern.compile("Unit Serial Number:\\[(.*)]").matcher(out);
        assertThat(m.find()).as(out).isTrue();
        return m.group(1).trim();
    }

    static IscsiWire login(LunportProcess s, String lun) throws IOException {
        IscsiWire w = new IscsiWire("127.0.0.1", s.port(), Duration.ofSeconds(10));
        w.login("iqn.2026-11.io.lunport:it-wire", LunportProcess.iqn(lun));
        return w;
    }

    static byte[] inquiryVpd(int page) {
        return new byte[] {0x12, 0x01, (byte) page, 0x00, (byte) 0xff, 0x00};
    }

    /** The NAA designator (association LU) of VPD 0x83, read with the raw wire client. */
    static byte[] naa(LunportProcess s, String lun) throws IOException {
        try (IscsiWire w = login(s, lun)) {
            IscsiWire.ScsiResult r = w.scsiRead(inquiryVpd(0x83), 255);
            assertThat(r.status()).isZero();
            byte[] p = r.data();
            assertThat(p[1] & 0xff).isEqualTo(0x83);
            int end = Math.min(p.length, 4 + (((p[2] & 0xff) << 8) | (p[3] & 0xff)));
            for (int i = 4; i + 4 <= end; ) {
                int type = p[i + 1] & 0x0f;
                int assoc = (p[i + 1] >> 4) & 0x03;
                int len = p[i + 3] & 0xff;
                if (type == 3 && assoc == 0) {
                    byte[] d = java.util.Arrays.copyOfRange(p, i + 4, i + 4 + len);
                    assertThat(len).as("NAA designator length").isIn(8, 16);
                    assertThat((d[0] >> 4) & 0x0f).as("NAA type").isIn(2, 3, 5, 6);
                    return d;
                }
                i += 4 + len;
            }
            throw new AssertionError("no NAA designator for the LU in VPD 0x83: " + HexFormat.of().formatHex(p));
        }
    }
}
