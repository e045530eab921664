package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM as DESIGN.md promises it: the initiator is asked to log out with an Async Message
 * (RFC 7143 section 11.9, AsyncEvent 1, Parameter3 the seconds it has), /healthz turns 503,
 * a logout completes, and the server exits 0 without waiting out the full time; writes
 * acknowledged before the signal are in the overlay afterwards.
 */
class GracefulStopTest {

    /**
     * Long enough that an exit once the session logged out (a JVM stopping on a loaded machine
     * can take seconds) is told apart, with room to spare, from one after the full wait.
     */
    private static final int LOGOUT_WAIT_SECONDS = 30;

    @Test
    void initiatorIsAskedToLogOutAndTheServerExitsOnceItHas() throws Exception {
        Path image = TestImages.holey(Itwork.dir("graceful").resolve("disk.raw"), 8 * (long) TestImages.MIB, 71);
        LunportProcess server = LunportProcess.builder("graceful").lun("disk", image).metrics()
                .jvmArg("-Dlunport.logoutWaitSeconds=" + LOGOUT_WAIT_SECONDS).start();
        try (server; IscsiWire wire = new IscsiWire("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            wire.login("iqn.2026-11.io.lunport:test-graceful", LunportProcess.iqn("disk"));
            int statSn = wire.expStatSn();
            server.sigterm();

            IscsiWire.Pdu async = wire.read();
            while (async.opcode() == IscsiWire.OP_NOP_IN) {
                async = wire.read();
            }
            assertThat(async.opcode()).as("%s", async).isEqualTo(IscsiWire.OP_ASYNC);
            assertThat(async.flags()).as("F bit").isEqualTo(0x80);
            assertThat(async.u32(16)).as("ITT").isEqualTo(0xFFFFFFFF);
            assertThat(async.u32(24)).as("StatSN").isEqualTo(statSn);
            assertThat(async.u8(36)).as("AsyncEvent: target requests logout").isEqualTo(1);
            assertThat(async.u8(37)).as("AsyncVCode").isZero();
            int parameter3 = (async.u8(42) << 8) | async.u8(43);
            assertThat(parameter3).as("Parameter3: seconds to log out in").isEqualTo(LOGOUT_WAIT_SECONDS);
            assertThat(async.data()).isEmpty();
            wire.acknowledge(async);

            Tools.Result health = Tools.run(Duration.ofSeconds(10), "curl", "-s", "-w", "\n%{http_code}",
                    server.metricsUrl() + "/healthz");
            assertThat(health.stdout()).as(health.describe()).isEqualTo("stopping\n\n503");

            long loggedOutAt = System.nanoTime();
            IscsiWire.Pdu answer = wire.logout();
            assertThat(answer.opcode()).as("%s", answer).isEqualTo(IscsiWire.OP_LOGOUT_RSP);
            assertThat(answer.u8(2)).as("Response: connection or session closed successfully").isZero();
            assertThat(server.stop()).as(server.tail()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - loggedOutAt))
                    .as("the server stops once the last session logged out, not after the full wait")
                    .isLessThan(Duration.ofSeconds(LOGOUT_WAIT_SECONDS - 10));
        }
    }

    @Test
    void writesAcknowledgedBeforeSigtermAreInTheOverlayAfterwards() throws Exception {
        Path dir = Itwork.dir("graceful-writes");
        Path image = TestImages.holey(dir.resolve("disk.raw"), 32 * (long) TestImages.MIB, 72);
        Path state = Itwork.fresh(dir.resolve("state"));
        int writes = 300;
        int size = 64 * 1024;
        int stopAfter = 120;
        int acknowledged = 0;
        try (LunportProcess server = LunportProcess.builder("graceful-writes").lun("disk", image).stateDir(state).start()) {
            // Plain writes, no FUA: durable only because the stop flushes the overlay.
            List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
            for (int i = 0; i < writes; i++) {
                command.add("-c");
                command.add(String.format("write -P 0x%02x %d %d", 0x40 + i % 64, (long) i * size, size));
            }
            command.add(server.url("disk"));
            Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while (acknowledged < stopAfter && (line = out.readLine()) != null) {
                    if (line.startsWith("wrote ")) {
                        acknowledged++;
                    }
                }
                server.sigterm();
                // qemu-io keeps trying to reconnect after the server is gone: it is stopped below.
                assertThat(server.stop()).as(server.tail()).isZero();
            } finally {
                writer.destroyForcibly();
                writer.waitFor(30, TimeUnit.SECONDS);
            }
        }
        assertThat(acknowledged).as("writes qemu-io saw acknowledged before SIGTERM").isEqualTo(stopAfter);
        try (LunportProcess restarted = LunportProcess.builder("graceful-writes-after").lun("disk", image).stateDir(state)
                .start()) {
            List<String> reads = new ArrayList<>(List.of("qemu-io", "-r", "-f", "raw"));
            for (int i = 0; i < acknowledged; i++) {
                reads.add("-c");
                reads.add(String.format("read -P 0x%02x %d %d", 0x40 + i % 64, (long) i * size, size));
            }
            reads.add(restarted.url("disk"));
            String out = Tools.check(Duration.ofMinutes(2), reads.toArray(String[]::new)).stdout();
            assertThat(out).as("every write acknowledged before SIGTERM is there").doesNotContain("Pattern verification failed");
            assertThat(out).contains("read " + size + "/" + size);
        }
    }
}
