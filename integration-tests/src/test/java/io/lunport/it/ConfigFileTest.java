package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * {@code serve --config FILE} as an administrator meets it: a broken file is refused before
 * anything starts with every problem on stderr (exit 2); a good file and {@code --lun} flags
 * are served together.
 */
class ConfigFileTest {

    @Test
    void aBrokenFileExitsWithCode2AndEveryMessage() throws IOException {
        Path dir = Itwork.fresh(Itwork.dir().resolve("config-broken"));
        TestImages.holey(dir.resolve("disk.raw"), 4L * TestImages.MIB, 31);
        Path config = dir.resolve("lunport.yaml");
        Files.writeString(config, """
                listen: ["0.0.0.0:3260"]
                targets:
                  - iqn: iqn.2026-11.io.lunport:web01
                    auth:
                      chap: { user: hyperv, secret: too-short }
                    luns:
                      - id: 0
                        image: disk.raw
                      - id: 0
                        image: missing.qcow2
                  - iqn: iqn.2026-11.io.lunport:web02
                    luns:
                      - { id: 0, image: disk.raw, blockSize: 520 }
                """);
        Tools.Result r = LunportProcess.runCli(Duration.ofSeconds(60), "serve", "--config", config.toString(),
                "--state-dir", dir.resolve("state").toString());
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stdout()).as(r.describe()).doesNotContain("lunport: serving");
        assertThat(r.stderr().lines().toList()).as(r.describe()).containsExactly(
                config + ":5: targets[0].auth.chap.secret: a CHAP secret needs at least 12 bytes, this one has 9",
                config + ":9: targets[0].luns[1].id: duplicate LUN id 0 (first at line 7)",
                config + ":10: targets[0].luns[1].image: no such image file " + dir.resolve("missing.qcow2"),
                config + ":11: targets[1].iqn: iqn.2026-11.io.lunport:web02 has no CHAP, but 0.0.0.0:3260 is not a loopback address: add auth.chap or set allowNoAuth: true",
                config + ":13: targets[1].luns[0].blockSize: must be 512 or 4096, not 520");
    }

    @Test
    void anImageThatCannotBeOpenedIsNamedByItsKeyAndLine() throws IOException {
        Path dir = Itwork.fresh(Itwork.dir().resolve("config-unopenable"));
        Path odd = dir.resolve("odd.raw");
        Files.write(odd, new byte[1000]);
        Path config = dir.resolve("lunport.yaml");
        Files.writeString(config, "targets:\n  - iqn: iqn.2026-11.io.lunport:odd\n    luns:\n      - id: 0\n        image: odd.raw\n");
        Tools.Result r = LunportProcess.runCli(Duration.ofSeconds(60), "serve", "--config", config.toString(),
                "--listen", "127.0.0.1:0", "--state-dir", dir.resolve("state").toString());
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stderr().lines().toList()).as(r.describe()).containsExactly(
                config + ":5: targets[0].luns[0].image: cannot serve " + odd + ": image size 1000 is not a multiple of the 512-byte block size");
    }

    @Test
    void fileTargetsAndLunFlagsAreServedTogether() throws IOException {
        Path dir = Itwork.fresh(Itwork.dir().resolve("config-combined"));
        Path filed = TestImages.holey(dir.resolve("filed.raw"), 4L * TestImages.MIB, 32);
        Path flagged = TestImages.holey(dir.resolve("flagged.raw"), 6L * TestImages.MIB, 33);
        byte[] before = Files.readAllBytes(filed);
        Path config = dir.resolve("lunport.yaml");
        // The file's listen address is replaced by the harness' --listen on a free port.
        Files.writeString(config, """
                listen: ["127.0.0.1:1"]
                targets:
                  - iqn: iqn.2026-11.io.lunport:filed
                    alias: filed
                    luns: [ { id: 0, image: filed.raw } ]
                """);
        try (LunportProcess server = LunportProcess.builder("config-combined").config(config).lun("flagged", flagged).start()) {
            assertThat(server.servingLine()).isEqualTo("lunport: serving " + LunportProcess.iqn("filed") + " "
                    + LunportProcess.iqn("flagged") + " on " + server.portal());
            String listing = Tools.check("iscsi-ls", "-s", server.portalUrl()).stdout();
            assertThat(listing).contains("Target:" + LunportProcess.iqn("filed"), "Target:" + LunportProcess.iqn("flagged"));
            Path copy = dir.resolve("filed.copy");
            Tools.check("qemu-img", "convert", "-O", "raw", server.url("filed"), copy.toString());
            TestImages.assertSameBytes(filed, copy);
            // Writes go to the default overlay in the state directory: stateDir/<alias>.overlay.
            Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0x5a 0 64k", server.url("filed"));
            assertThat(server.stateDir().resolve("filed.overlay")).isRegularFile();
        }
        assertThat(Files.readAllBytes(filed)).as("the image is never written").isEqualTo(before);
    }
}
