package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The metrics endpoint as a scraper sees it: {@code curl} fetches {@code /metrics} before and
 * after a known amount of I/O by qemu-io, and the differences must be exactly that I/O. Also
 * logins, the session gauge, a refused CHAP login, and {@code /healthz}.
 */
class MetricsTest {

    private static final String USER = "metrics";
    private static final String SECRET = "metrics-secret-1";
    private static final long MIB = TestImages.MIB;

    private static LunportProcess server;
    private static LunportProcess locked;

    @BeforeAll
    static void start() {
        Path dir = Itwork.dir("metrics");
        Path image = TestImages.holey(dir.resolve("disk.raw"), 16 * MIB, 61);
        server = LunportProcess.builder("metrics").lun("disk", image).metrics().start();
        locked = LunportProcess.builder("metrics-chap").lun("locked", image).readOnly().chap(USER, SECRET).metrics()
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
        if (locked != null) {
            locked.close();
        }
    }

    @Test
    void ioIsCountedExactly() throws Exception {
        String disk = lunLabels("disk");
        Metrics before = scrape(server);
        // -f raw: no format probing, so every read and write below is qemu-io's own.
        Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 1M", "-c", "read -P 0x5a 0 1M", "-c", "read 0 4M",
                server.url("disk"));
        Metrics after = awaitNoSessions(server, "disk");

        assertThat(after.delta(before, "lunport_lun_write_bytes_total" + disk)).isEqualTo(MIB);
        assertThat(after.delta(before, "lunport_lun_write_operations_total" + disk)).isEqualTo(1);
        assertThat(after.delta(before, "lunport_lun_read_bytes_total" + disk)).isEqualTo(5 * MIB);
        assertThat(after.delta(before, "lunport_lun_read_operations_total" + disk)).isEqualTo(2);
        assertThat(after.delta(before, "lunport_lun_read_latency_seconds_count" + disk)).isEqualTo(2);
        assertThat(after.delta(before, "lunport_lun_write_latency_seconds_count" + disk)).isEqualTo(1);
        assertThat(after.value("lunport_lun_read_latency_seconds_sum" + disk)).isPositive();
        // client_java writes a summary's quantile label after the others.
        assertThat(after.value("lunport_lun_read_latency_seconds" + disk.replace("}", ",quantile=\"0.99\"}")))
                .isPositive();
        // Login commands (INQUIRY, READ CAPACITY, REPORT LUNS ...) are commands but not reads.
        assertThat(after.delta(before, "lunport_lun_commands_total" + disk)).isGreaterThan(3);
        assertThat(after.value("lunport_lun_commands_in_flight" + disk)).isZero();
        assertThat(after.delta(before, "lunport_target_logins_total" + targetLabel("disk"))).isEqualTo(1);
        // The 1 MiB written went to a fresh overlay: 256 grains of 4 KiB.
        assertThat(after.value("lunport_lun_overlay_bytes" + disk)).isEqualTo(MIB);
        assertThat(after.value("lunport_lun_errors_total" + lunLabels("disk", "sense_key", "MEDIUM_ERROR"))).isZero();
        assertThat(after.names()).as("JVM metrics come along").anyMatch(n -> n.startsWith("jvm_memory_heap_used"));
    }

    @Test
    void sessionGaugeAndErrorsFollowAWireSession() throws Exception {
        String target = targetLabel("disk");
        Metrics beforeLogin = scrape(server);
        try (IscsiWire wire = new IscsiWire("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            wire.login("iqn.2026-11.io.lunport:test-metrics-session", LunportProcess.iqn("disk"));
            Metrics before = scrape(server);
            assertThat(before.value("lunport_target_sessions" + target)).isEqualTo(1);
            // Counted before the login was answered: no wait needed to see it.
            assertThat(before.delta(beforeLogin, "lunport_target_logins_total" + target)).isEqualTo(1);
            // TEST UNIT READY takes the new nexus' unit attention; then a READ(10) past the end.
            wire.scsiRead(new byte[] {0x00, 0, 0, 0, 0, 0}, 0);
            IscsiWire.ScsiResult pastEnd = wire.scsiRead(new byte[] {0x28, 0, 0x7F, 0, 0, 0, 0, 0, 1, 0}, 512);
            assertThat(pastEnd.status()).as("CHECK CONDITION").isEqualTo(2);
            String illegal = lunLabels("disk", "sense_key", "ILLEGAL_REQUEST");
            Metrics after = scrape(server);
            assertThat(after.delta(before, "lunport_lun_errors_total" + illegal)).isEqualTo(1);
            assertThat(after.delta(before, "lunport_lun_read_operations_total" + lunLabels("disk"))).isZero();
            IscsiWire.Pdu answer = wire.logout();
            assertThat(answer.opcode()).isEqualTo(IscsiWire.OP_LOGOUT_RSP);
        }
        assertThat(awaitNoSessions(server, "disk").value("lunport_target_sessions" + target)).isZero();
    }

    @Test
    void refusedChapLoginIsCountedAgainstItsTarget() {
        String target = targetLabel("locked");
        Metrics before = scrape(locked);
        Tools.Result refused = Tools.run(Duration.ofSeconds(30), "iscsi-inq", locked.url("locked", USER, "wrong-secret-123"));
        assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
        Metrics afterRefused = scrape(locked);
        assertThat(afterRefused.delta(before, "lunport_target_login_failures_total" + target)).isEqualTo(1);
        assertThat(afterRefused.delta(before, "lunport_target_logins_total" + target)).isZero();

        Tools.check("iscsi-inq", locked.url("locked", USER, SECRET));
        Metrics afterAccepted = scrape(locked);
        assertThat(afterAccepted.delta(afterRefused, "lunport_target_logins_total" + target)).isEqualTo(1);
        assertThat(afterAccepted.delta(afterRefused, "lunport_target_login_failures_total" + target)).isZero();
        assertThat(afterAccepted.toString()).as("no secret in the metrics").doesNotContain(SECRET);
    }

    @Test
    void healthzAnswersOkWhileServing() {
        Tools.Result health = Tools.check("curl", "-s", "-w", "\\n%{http_code}", server.metricsUrl() + "/healthz");
        assertThat(health.stdout()).isEqualTo("ok\n\n200");
        Tools.Result missing = Tools.check("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                server.metricsUrl() + "/healthzz");
        assertThat(missing.stdout()).isEqualTo("404");
    }

    @Test
    void aBadMetricsAddressIsAUsageErrorNamingTheFlag() {
        Path image = Itwork.dir("metrics").resolve("disk.raw");
        Tools.Result r = Tools.run(Duration.ofSeconds(60), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LunportProcess.jar().toString(), "serve", "--listen", "127.0.0.1:0",
                "--metrics-listen", "127.0.0.1:ninety", "--lun", "x=" + image);
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        // One line per problem, as for every flag and configuration key: the flag and its value first.
        assertThat(r.stderr().strip()).isEqualTo("--metrics-listen 127.0.0.1:ninety: port is not a number");
    }

    static String targetLabel(String name) {
        return "{target=\"" + LunportProcess.iqn(name) + "\"}";
    }

    /** Labels as client_java writes them: sorted by name, target and lun first for a LUN. */
    static String lunLabels(String name, String... more) {
        Map<String, String> labels = new java.util.TreeMap<>();
        labels.put("lun", "0");
        labels.put("target", LunportProcess.iqn(name));
        for (int i = 0; i < more.length; i += 2) {
            labels.put(more[i], more[i + 1]);
        }
        StringBuilder b = new StringBuilder("{");
        labels.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(k).append("=\"").append(v).append('"'));
        return b.append('}').toString();
    }

    /** Scrapes until the target has no session left (qemu-io's connection closes as it exits). */
    static Metrics awaitNoSessions(LunportProcess server, String name) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Metrics m = scrape(server);
        while (m.value("lunport_target_sessions" + targetLabel(name)) != 0 && System.nanoTime() < deadline) {
            Thread.sleep(100);
            m = scrape(server);
        }
        return m;
    }

    static Metrics scrape(LunportProcess server) {
        return Metrics.parse(Tools.check("curl", "-s", "--fail", server.metricsUrl() + "/metrics").stdout());
    }

    /** One scrape in the Prometheus text format: series (name and labels, as written) to value. */
    record Metrics(Map<String, Double> series, String text) {
        private static final Pattern LINE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{.*\\})?) (\\S+)$");

        static Metrics parse(String text) {
            Map<String, Double> series = new HashMap<>();
            for (String line : text.split("\n")) {
                Matcher m = LINE.matcher(line);
                if (!line.startsWith("#") && m.matches()) {
                    series.put(m.group(1), Double.parseDouble(m.group(2)));
                }
            }
            return new Metrics(series, text);
        }

        double value(String series) {
            Double v = this.series.get(series);
            assertThat(v).as("series %s in the scrape:\n%s", series, text).isNotNull();
            return v;
        }

        double delta(Metrics before, String series) {
            return value(series) - before.value(series);
        }

        java.util.Set<String> names() {
            return series.keySet();
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
