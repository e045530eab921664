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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's conformance suite against the two kinds of writable LUN on a 1 GiB sparse file:
 * {@code --direct} with 512-byte blocks (written in place; no deallocation) and the default
 * overlay LUN with 4096-byte blocks (thin: UNMAP, WRITE SAME with UNMAP, GET LBA STATUS). The
 * overlay LUN is 4Kn because libiscsi's GetLBAStatus.UnmapSingle only holds for one logical
 * block per physical block (see docs/conformance.md); the two runs together cover both block
 * sizes.
 *
 * <p>Runs {@code iscsi-test-cu -v --dataloss --test=FAMILY -i NAME1 -I NAME2 URL URL6}, URL6 the same LU
 * through the second portal on [::1] (MultipathIO's second path). {@code -v}
 * (CUnit verbose, the default mode) is what prints each test's name with its verdict; {@code -n}
 * prints only the failures, so a skip could not be told from a pass. ({@code -V} is libiscsi's
 * SCSI trace, far too big to keep.) Results go to {@code target/conformance.txt}. No failure is
 * tolerated; every skip must be explained in docs/conformance.md ({@link ConformanceSkips}), and
 * a test explained there that passes fails the run too, so the document stays true.
 */
class ConformanceTest {
    static final String INITIATOR_1 = "iqn.2026-11.io.lunport:conformance-1";
    static final String INITIATOR_2 = "iqn.2026-11.io.lunport:conformance-2";
    static final Duration FAMILY_TIMEOUT = Duration.ofMinutes(8);
    /** The document whose skip table the runs are checked against (tests run in integration-tests/). */
    static final Path DOCUMENT = Path.of("..", "docs", "conformance.md").toAbsolutePath().normalize();
    static LunportProcess direct;
    static LunportProcess overlay;
    static final Map<String, ConformanceLog> results = new LinkedHashMap<>();

    @BeforeAll
    static void start() {
        Path dir = Itwork.dir("conformance");
        // A second portal on [::1] gives MultipathIO its second path to the same LU.
        direct = LunportProcess.builder("conformance").lun("cu", TestImages.sparse(dir.resolve("direct.raw"), 1L << 30))
                .direct().ipv6().start();
        overlay = LunportProcess.builder("conformance-overlay").lun("cu", TestImages.sparse(dir.resolve("image.raw"), 1L << 30))
                .arg("--block-size").arg("4096").stateDir(Itwork.fresh(dir.resolve("overlay-state"))).ipv6().start();
    }

    @AfterAll
    static void stop() throws IOException {
        try {
            writeReport();
        } finally {
            if (direct != null) {
                direct.close();
            }
            if (overlay != null) {
                overlay.close();
            }
        }
    }

    @Test
    void scsiFamilyOnADirectLun() throws IOException {
        runFamily(direct, "direct", "SCSI", 200);
    }

    @Test
    void scsiFamilyOnAnOverlayLun() throws IOException {
        runFamily(overlay, "overlay", "SCSI", 200);
    }

    /** ReadOnly needs a write-protected LU, which the two writable runs cannot give it. */
    @Test
    void readOnlySuiteOnAReadOnlyLun() throws IOException {
        Path image = TestImages.sparse(Itwork.dir("conformance").resolve("readonly.raw"), 1L << 30);
        try (LunportProcess readOnly = LunportProcess.builder("conformance-ro").lun("cu", image).readOnly().start()) {
            runFamily(readOnly, "read-only", "SCSI.ReadOnly", 1);
        }
    }

    @Test
    void iscsiFamily() throws IOException {
        runFamily(direct, "direct", "iSCSI", 10);
    }

    /**
     * The tests libiscsi runs only with at least two logical blocks per physical block, which the
     * 4Kn overlay LUN skips: on an overlay LUN with 512-byte blocks (4 KiB physical), one by one.
     */
    static final List<String> NEED_TWO_BLOCKS_PER_PHYSICAL_BLOCK = List.of("SCSI.CompareAndWrite.InvalidDataOutSize",
            "SCSI.WriteSame10.UnmapUnaligned", "SCSI.WriteSame10.InvalidDataOutSize", "SCSI.WriteSame16.UnmapUnaligned",
            "SCSI.WriteSame16.InvalidDataOutSize");

    @Test
    void testsNeedingTwoBlocksPerPhysicalBlockOnA512eOverlayLun() throws IOException {
        Path dir = Itwork.dir("conformance");
        try (LunportProcess overlay512 = LunportProcess.builder("conformance-512e").lun("cu",
                TestImages.sparse(dir.resolve("image-512e.raw"), 1L << 30)).stateDir(Itwork.fresh(dir.resolve("state-512e")))
                .start()) {
            for (String test : NEED_TWO_BLOCKS_PER_PHYSICAL_BLOCK) {
                ConformanceLog log = runFamily(overlay512, "overlay-512e", test, 1);
                assertThat(log.tests).extracting(TestResult::status).as(test).containsExactly(Status.PASS);
            }
        }
    }

    /** The tests libiscsi groups as what the Linux kernel initiator relies on. */
    @Test
    void linuxFamilyOnAnOverlayLun() throws IOException {
        runFamily(overlay, "overlay", "LINUX", 100);
    }

    /** {@code lunKind} is what docs/conformance.md names the LUN in its skip table: direct, overlay, read-only. */
    private ConformanceLog runFamily(LunportProcess server, String lunKind, String family, int atLeast) throws IOException {
        List<String> command = new ArrayList<>(List.of("iscsi-test-cu", "-v", "--dataloss", "--test=" + family,
                "-i", INITIATOR_1, "-I", INITIATOR_2, server.url("cu")));
        if (server == direct || server == overlay) { // the read-only server has one portal
            command.add("iscsi://[::1]:" + server.port6() + "/" + LunportProcess.iqn("cu") + "/0");
        }
        Tools.Result r = Tools.run(FAMILY_TIMEOUT, command);
        Path raw = Itwork.dir("conformance").resolve(family + "-" + lunKind + ".log");
        Files.writeString(raw, r.describe(), StandardCharsets.UTF_8);
        assertThat(r.timedOut()).as("iscsi-test-cu timed out; log in %s\n%s", raw, server.tail()).isFalse();

        // Test names are Family.Suite.Test even when one suite ran (family "SCSI.ReadOnly").
        ConformanceLog log = ConformanceLog.parse(family.split("\\.")[0], r.stdout());
        results.put(family + " on the " + lunKind + " LUN", log);
        assertThat(log.tests.size()).as("tests parsed from %s", raw).isGreaterThanOrEqualTo(atLeast);
        assertThat(log.summaryRan).as("CUnit run summary in %s", raw).isEqualTo(log.tests.size());
        assertThat(log.count(Status.FAIL)).as("failures parsed vs CUnit's count in %s", raw).isEqualTo(log.summaryFailed);
        assertThat(log.count(Status.UNKNOWN)).as("tests without a verdict in %s", raw).isZero();
        assertThat(server.isAlive()).as("server survived the %s family\n%s", family, server.tail()).isTrue();

        List<String> wrong = ConformanceSkips.read(DOCUMENT).disagreements(log, lunKind);
        assertThat(wrong).as("%s family on the %s LUN disagrees with %s (full log %s)", family, lunKind, DOCUMENT, raw)
                .isEmpty();
        return log;
    }

    static void writeReport() throws IOException {
        if (results.isEmpty()) {
            return;
        }
        StringBuilder sb = new StringBuilder("libiscsi iscsi-test-cu against lunport (1 GiB sparse file, --direct and overlay LUNs)\n\n");
        for (var e : results.entrySet()) {
            ConformanceLog log = e.getValue();
            sb.append(String.format("%s: %d tests, %d passed, %d skipped, %d failed%n", e.getKey(),
                    log.tests.size(), log.count(Status.PASS), log.count(Status.SKIP), log.count(Status.FAIL)));
        }
        sb.append('\n');
        for (var e : results.entrySet()) {
            sb.append('\n').append(e.getKey()).append(":\n");
            for (TestResult t : e.getValue().tests) {
                sb.append(String.format("%-5s %s%n", t.status(), t.name()));
            }
        }
        Path report = Itwork.dir().getParent().resolve("conformance.txt");
        Files.writeString(report, sb.toString(), StandardCharsets.UTF_8);
    }
}
