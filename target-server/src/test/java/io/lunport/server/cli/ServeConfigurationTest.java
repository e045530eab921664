package io.lunport.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.config.ChapConfig;
import io.lunport.config.ConfigException;
import io.lunport.config.LunportConfig;
import io.lunport.config.Origin;
import io.lunport.config.PortalConfig;
import io.lunport.config.TargetConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The rule by which serve's flags combine with a configuration file. */
class ServeConfigurationTest {

    @TempDir
    Path dir;

    private ServeConfiguration flags(Path file, List<String> listen, Path stateDir, List<String> luns, ChapConfig chap,
                                     boolean allowNoAuth) {
        return new ServeConfiguration(file, listen, stateDir, luns, false, true, false, 4096, chap, null, allowNoAuth, null);
    }

    private ServeConfiguration metricsFlag(Path file, String metricsListen) {
        return new ServeConfiguration(file, List.of(), null, List.of(), false, false, false, 512, null, null, false,
                metricsListen);
    }

    @Test
    void metricsListenFlagReplacesTheFilesAndNamesItselfWhenWrong() throws Exception {
        Files.write(dir.resolve("a.raw"), new byte[8192]);
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "metrics: { listen: \"127.0.0.1:9500\" }\n"
                + "targets:\n  - iqn: iqn.2026-11.io.lunport:filed\n    luns: [ { id: 0, image: a.raw } ]\n");
        assertThat(metricsFlag(file, null).assemble(Map.<String, String>of()::get).config().metrics().listen().address())
                .isEqualTo(new InetSocketAddress("127.0.0.1", 9500));
        assertThat(metricsFlag(file, "127.0.0.1").assemble(Map.<String, String>of()::get).config().metrics().listen().address())
                .as("the flag wins; its port defaults to 9404").isEqualTo(new InetSocketAddress("127.0.0.1", 9404));
        assertThatThrownBy(() -> metricsFlag(file, "127.0.0.1:http").assemble(Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("--metrics-listen 127.0.0.1:http: port is not a number");
    }

    @Test
    void flagsReplaceListenAndStateDirAndAddTargetsWithTheirOwnSettings() throws Exception {
        Files.write(dir.resolve("a.raw"), new byte[8192]);
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "listen: [\"127.0.0.1:3300\"]\nstateDir: from-file\n"
                + "targets:\n  - iqn: iqn.2026-11.io.lunport:filed\n    luns: [ { id: 0, image: a.raw } ]\n");
        ChapConfig chap = new ChapConfig("cli", "cli-secret-12", Origin.flag("--chap-user cli"));
        LunportConfig config = flags(file, List.of("127.0.0.1:3400"), dir.resolve("from-flag"),
                List.of("extra=" + dir.resolve("a.raw")), chap, false).assemble(Map.<String, String>of()::get).config();
        assertThat(config.listen()).extracting(PortalConfig::text).containsExactly("127.0.0.1:3400");
        assertThat(config.stateDir()).isEqualTo(dir.resolve("from-flag"));
        assertThat(config.targets()).extracting(TargetConfig::iqn)
                .containsExactly("iqn.2026-11.io.lunport:filed", "iqn.2026-11.io.lunport:extra");
        TargetConfig filed = config.targets().get(0);
        TargetConfig extra = config.targets().get(1);
        // --read-only, --block-size and --chap-* apply to the flag's target only.
        assertThat(filed.chap()).isNull();
        assertThat(filed.luns().get(0).readOnly()).isFalse();
        assertThat(filed.luns().get(0).blockSize()).isEqualTo(512);
        assertThat(extra.chap()).isSameAs(chap);
        assertThat(extra.luns().get(0).readOnly()).isTrue();
        assertThat(extra.luns().get(0).blockSize()).isEqualTo(4096);
        assertThat(config.overlayOf(extra, extra.luns().get(0))).isEqualTo(dir.resolve("from-flag/extra.overlay"));
    }

    @Test
    void fileAndFlagProblemsComeOutTogetherAndAllowNoAuthComesFromEither() throws Exception {
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "listen: [\"0.0.0.0:3260\"]\ntargets:\n  - iqn: iqn.2026-11.io.lunport:web01\n"
                + "    luns: [ { id: 0, image: missing.raw } ]\n");
        assertThatThrownBy(() -> flags(file, List.of(), null, List.of("web01=/nonexistent.raw", "Bad=x"), null, false)
                .assemble(Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .hasMessage(file + ":3: targets[0].iqn: iqn.2026-11.io.lunport:web01 has no CHAP, but 0.0.0.0:3260 is not a loopback address: add auth.chap or set allowNoAuth: true\n"
                        + file + ":4: targets[0].luns[0].image: no such image file " + dir.resolve("missing.raw") + "\n"
                        + "--lun Bad=x: a LUN name is lower-case letters, digits, '.' and '-' (it becomes part of an iSCSI name): Bad\n"
                        + "--lun web01=/nonexistent.raw: duplicate target iqn.2026-11.io.lunport:web01 (first at line 3)\n"
                        + "--lun web01=/nonexistent.raw: iqn.2026-11.io.lunport:web01 has no CHAP, but 0.0.0.0:3260 is not a loopback address: give --chap-user/--chap-secret or --allow-no-auth\n"
                        + "--lun web01=/nonexistent.raw: no such image file /nonexistent.raw");
        Files.write(dir.resolve("missing.raw"), new byte[4096]);
        LunportConfig open = flags(file, List.of(), null, List.of(), null, true).assemble(Map.<String, String>of()::get).config();
        assertThat(open.allowNoAuth()).isTrue();
    }
}
