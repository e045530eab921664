package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Live changes: the configuration file is edited while a qemu-img reader copies another
 * target, and {@code lunport reload} (or SIGHUP) applies it. The reader's copy must match
 * its image byte for byte, over one session that never logged in again.
 */
class ReloadTest {

    static final String STEADY = "steady";
    static final String CHANGING = "changing";

    private static String config(String changingLuns, String extraTargets) {
        return """
                targets:
                  - iqn: iqn.2026-11.io.lunport:steady
                    luns: [ { id: 0, image: steady.raw, readOnly: true } ]
                  - iqn: iqn.2026-11.io.lunport:changing
                    luns: [ %s ]
                %s""".formatted(changingLuns, extraTargets);
    }

    private static Tools.Result reload(LunportProcess server) {
        return LunportProcess.runCli(Duration.ofSeconds(60), "reload", "--state-dir", server.stateDir().toString());
    }

    private static String listing(LunportProcess server) {
        return Tools.check("iscsi-ls", "-s", server.portalUrl()).stdout();
    }

    /** The LUN lines iscsi-ls prints under one target, up to the next target. */
    private static String lunsOf(String listing, String target) {
        Matcher m = Pattern.compile("(?s)Target:" + Pattern.quote(LunportProcess.iqn(target)) + " [^\\n]*\\n(.*?)(?=Target:|$)")
                .matcher(listing);
        return m.find() ? m.group(1) : "";
    }

    @Test
    void lunsAndTargetsComeAndGoWhileAnotherTargetsReaderGoesOnUndisturbed() throws Exception {
        Path dir = Itwork.fresh(Itwork.dir().resolve("reload"));
        Path steady = dir.resolve("steady.raw");
        byte[] data = new byte[40 * TestImages.MIB];
        new Random(41).nextBytes(data); // no holes: every byte is read through the target
        Files.write(steady, data);
        TestImages.holey(dir.resolve("zero.raw"), 4L * TestImages.MIB, 42);
        TestImages.holey(dir.resolve("one.raw"), 6L * TestImages.MIB, 43);
        Path config = dir.resolve("lunport.yaml");
        Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }", ""));

        try (LunportProcess server = LunportProcess.builder("reload").config(config).start()) {
            Path copy = dir.resolve("steady.copy");
            // 40 MiB at 2 MiB/s: some twenty seconds of reading, across the reloads below.
            Process reader = new ProcessBuilder("qemu-img", "convert", "-r", "2M", "-O", "raw", server.url(STEADY), copy.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("reader.log").toFile()).start();
            try {
                // Add LUN 1 to a kept target, and a new target.
                Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }, { id: 1, image: one.raw, readOnly: true }",
                        "  - iqn: iqn.2026-11.io.lunport:added\n    luns: [ { id: 0, image: one.raw, readOnly: true } ]\n"));
                Tools.Result added = reload(server);
                assertThat(added.exitCode()).as(added.describe()).isZero();
                assertThat(added.stdout()).isEqualTo("lunport: reloaded: added iqn.2026-11.io.lunport:added; "
                        + "changed iqn.2026-11.io.lunport:changing (+LUN 1)\n");
                String withLun1 = listing(server);
                assertThat(lunsOf(withLun1, CHANGING)).contains("Lun:0 ", "Lun:1 ");
                assertThat(lunsOf(withLun1, "added")).contains("Lun:0 ");
                assertThat(reader.isAlive()).as("the reader is still copying while the LUN appears").isTrue();

                // An invalid file is refused with its messages; the running configuration stays.
                Files.writeString(config, config("{ id: 0, image: zero.raw, blockSize: 1000 }", "  - iqn: BAD\n    luns: []\n"));
                Tools.Result refused = reload(server);
                assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(2);
                assertThat(refused.stderr().lines().toList()).containsExactly(
                        config + ":5: targets[1].luns[0].blockSize: must be 512 or 4096, not 1000",
                        config + ":6: targets[2].iqn: iSCSI names are lower case (RFC 7143 normalizes them so): BAD",
                        config + ":7: targets[2].luns: a target needs at least one LUN");
                String unchanged = listing(server);
                assertThat(lunsOf(unchanged, CHANGING)).contains("Lun:0 ", "Lun:1 ");
                assertThat(unchanged).contains("Target:" + LunportProcess.iqn("added"));

                // Remove LUN 1 and the added target again, this time by SIGHUP.
                Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }", ""));
                Tools.check("kill", "-HUP", Long.toString(server.pid()));
                String removedLog = awaitLog(server, "configuration reloaded: removed iqn.2026-11.io.lunport:added; "
                        + "changed iqn.2026-11.io.lunport:changing (-LUN 1)");
                assertThat(removedLog).isNotNull();
                String without = listing(server);
                assertThat(lunsOf(without, CHANGING)).contains("Lun:0 ").doesNotContain("Lun:1 ");
                assertThat(without).doesNotContain(LunportProcess.iqn("added"));

                assertThat(reader.waitFor(120, TimeUnit.SECONDS)).as("qemu-img convert finished").isTrue();
                assertThat(reader.exitValue()).as(Files.readString(dir.resolve("reader.log"))).isZero();
            } finally {
                reader.destroyForcibly();
            }
            TestImages.assertSameBytes(steady, copy);
            String log = Files.readString(server.log());
            // iscsi-ls logs in to steady as well; qemu's initiator is the reader alone.
            assertThat(Pattern.compile("login: initiator iqn.2008-11.org.linux-kvm [^\\n]* to " + Pattern.quote(LunportProcess.iqn(STEADY)) + " ")
                    .matcher(log).results().count()).as("the reader logged in to steady once, never again").isEqualTo(1);
            assertThat(log).doesNotContain("connection lost: initiator iqn.2008-11.org.linux-kvm");
        }
    }

    @Test
    void sessionsOfARemovedTargetAreAskedToLogOut() throws Exception {
        Path dir = Itwork.fresh(Itwork.dir().resolve("reload-logout"));
        Path image = dir.resolve("gone.raw");
        byte[] data = new byte[16 * TestImages.MIB];
        new Random(44).nextBytes(data);
        Files.write(image, data);
        TestImages.holey(dir.resolve("zero.raw"), 4L * TestImages.MIB, 45);
        Path steady = dir.resolve("steady.raw");
        Files.copy(dir.resolve("zero.raw"), steady);
        Path config = dir.resolve("lunport.yaml");
        String gone = "  - iqn: iqn.2026-11.io.lunport:gone\n    luns: [ { id: 0, image: gone.raw, readOnly: true } ]\n";
        Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }", gone));
        try (LunportProcess server = LunportProcess.builder("reload-logout").config(config).start()) {
            // 16 MiB at 1 MiB/s: still reading when its target goes away.
            Process reader = new ProcessBuilder("qemu-img", "convert", "-r", "1M", "-O", "raw", server.url("gone"),
                    dir.resolve("gone.copy").toString()).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("reader.log").toFile()).start();
            try {
                assertThat(awaitLog(server, "to " + LunportProcess.iqn("gone") + " tsih")).isNotNull();
                Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }", ""));
                Tools.Result r = reload(server);
                assertThat(r.exitCode()).as(r.describe()).isZero();
                assertThat(r.stdout()).isEqualTo("lunport: reloaded: removed iqn.2026-11.io.lunport:gone\n");
                assertThat(awaitLog(server, "target iqn.2026-11.io.lunport:gone removed: 1 session(s) asked to log out")).isNotNull();
                assertThat(awaitLog(server, "to log out within 3 s: target removed by a reload")).isNotNull();
                // libiscsi understands the Async Message: it logs out (then finds the target gone).
                assertThat(awaitLog(server, "logout: initiator iqn.2008-11.org.linux-kvm")).isNotNull();
                assertThat(reader.waitFor(60, TimeUnit.SECONDS)).as("qemu-img ends once its target is gone").isTrue();
                assertThat(listing(server)).doesNotContain(LunportProcess.iqn("gone"));
            } finally {
                reader.destroyForcibly();
            }
        }
    }

    @Test
    void aServerStartedWithSighupIgnoredSaysSoAndReloadsThroughItsAdminSocket() throws Exception {
        Path dir = Itwork.fresh(Itwork.dir().resolve("reload-nohup"));
        TestImages.holey(dir.resolve("zero.raw"), 4L * TestImages.MIB, 46);
        Files.copy(dir.resolve("zero.raw"), dir.resolve("steady.raw"));
        Path config = dir.resolve("lunport.yaml");
        Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }", ""));
        try (LunportProcess server = LunportProcess.builder("reload-nohup").config(config).sighupIgnored().start()) {
            assertThat(awaitLog(server, "SIGHUP was ignored when lunport started (nohup or the service manager), so it "
                    + "cannot reload the configuration; 'lunport reload --state-dir " + server.stateDir() + "' can"))
                    .isNotNull();
            Files.writeString(config, config("{ id: 0, image: zero.raw, readOnly: true }, { id: 1, image: zero.raw, readOnly: true }", ""));
            Tools.check("kill", "-HUP", Long.toString(server.pid())); // ignored, as the warning said
            Tools.Result r = reload(server);
            assertThat(r.exitCode()).as(r.describe()).isZero();
            assertThat(r.stdout()).isEqualTo("lunport: reloaded: changed iqn.2026-11.io.lunport:changing (+LUN 1)\n");
            assertThat(server.isAlive()).isTrue();
        }
    }

    /** Waits up to 20 s for a server log line containing {@code text}; returns the log, or null. */
    private static String awaitLog(LunportProcess server, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            String log = Files.readString(server.log());
            if (log.contains(text)) {
                return log;
            }
            Thread.sleep(100);
        }
        return null;
    }
}
