package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.it.ConformanceLog.Status;
import io.lunport.it.ConformanceLog.TestResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * libiscsi's conformance suite against the two kinds of writable LUN on a 1 GiB sparse file:
 * {@code --direct} (written in place; no deallocation) and the default overlay LUN (thin:
 * UNMAP, WRITE SAME with UNMAP, GET LBA STATUS).
 *
 * <p>Runs {@code iscsi-test-cu -v --dataloss --test=FAMILY -i NAME1 -I NAME2 URL URL6}, URL6 the same LU
 * through the second portal on [::1] (MultipathIO's second path). {@code -v}
 * (CUnit verbose, the default mode) is what prints each test's name with its verdict; {@code -n}
 * prints only the failures, so a skip could not be told from a pass. ({@code -V} is libiscsi's
 * SCSI trace, far too big to keep.) Results go to {@code target/conformance.txt}; the test fails
 * on any failure not named in {@code conformance-known-failures.txt}.
 */
class ConformanceTest {
    static final String INITIATOR_1 = "iqn.2026-11.io.lunport:conformance-1";
    static final String INITIATOR_2 = "iqn.2026-11.io.lunport:conformance-2";
    static final Duration FAMILY_TIMEOUT = Duration.ofMinutes(8);
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
                .stateDir(Itwork.fresh(dir.resolve("overlay-state"))).ipv6().start();
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

    private void runFamily(LunportProcess server, String lunKind, String family, int atLeast) throws IOException {
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

        Map<String, String> known = knownFailures();
        List<String> unexpected = new ArrayList<>();
        for (TestResult t : log.tests) {
            if (t.status() == Status.FAIL && !known.containsKey(t.name())) {
                unexpected.add(t.name() + ":\n" + t.log().strip());
            }
        }
        assertThat(unexpected).as("conformance failures not in conformance-known-failures.txt (full log %s)", raw).isEmpty();
    }

    /** {@code Family.Suite.Test  # reason} per line; blank lines and lines starting with # ignored. */
    static Map<String, String> knownFailures() throws IOException {
        Map<String, String> known = new TreeMap<>();
        try (InputStream in = ConformanceTest.class.getResourceAsStream("/conformance-known-failures.txt")) {
            if (in == null) {
                return known;
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                String t = line.strip();
                if (t.isEmpty() || t.startsWith("#")) {
                    continue;
                }
                int hash = t.indexOf('#');
                String name = (hash < 0 ? t : t.substring(0, hash)).strip();
                known.put(name, hash < 0 ? "" : t.substring(hash + 1).strip());
            }
        }
        return known;
    }

    static void writeReport() throws IOException {
        if (results.isEmpty()) {
            return;
        }
        Map<String, String> known = knownFailures();
        StringBuilder sb = new StringBuilder("libiscsi iscsi-test-cu against lunport (1 GiB sparse file, --direct and overlay LUNs)\n\n");
        for (var e : results.entrySet()) {
            ConformanceLog log = e.getValue();
            sb.append(String.format("%s: %d tests, %d passed, %d skipped, %d failed (%d of them known)%n", e.getKey(),
                    log.tests.size(), log.count(Status.PASS), log.count(Status.SKIP), log.count(Status.FAIL),
                    log.tests.stream().filter(t -> t.status() == Status.FAIL && known.containsKey(t.name())).count()));
        }
        sb.append('\n');
        for (var e : results.entrySet()) {
            sb.append('\n').append(e.getKey()).append(":\n");
            for (TestResult t : e.getValue().tests) {
                String note = t.status() == Status.FAIL ? (known.containsKey(t.name()) ? "  (known: " + known.get(t.name()) + ")" : "  (NEW)")
                        : t.status() == Status.PASS && known.containsKey(t.name()) ? "  (listed as known failure: remove it)" : "";
                sb.append(String.format("%-5s %s%s%n", t.status(), t.name(), note));
            }
        }
        Path report = Itwork.dir().getParent().resolve("conformance.txt");
        Files.writeString(report, sb.toString(), StandardCharsets.UTF_8);
    }
}
