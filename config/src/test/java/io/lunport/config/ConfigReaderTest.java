package io.lunport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Broken configurations and the exact messages they produce. Each file is written next to
 * an image {@code disk.raw} (and {@code other.raw}) that exists; paths in messages are
 * shown relative to that directory, as {@code DIR/...}.
 */
class ConfigReaderTest {

    /** secretEnv lookups see only this, never the real environment. */
    private static final Map<String, String> ENVIRONMENT = Map.of("LUNPORT_CHAP", "from-env-secret");

    @TempDir
    Path dir;

    @BeforeEach
    void images() throws IOException {
        Files.write(dir.resolve("disk.raw"), new byte[4096]);
        Files.write(dir.resolve("other.raw"), new byte[4096]);
        Files.writeString(dir.resolve("secret.txt"), "from-file-secret\n");
    }

    static Stream<Arguments> brokenConfigurations() {
        String lun = "    luns:\n      - id: 0\n        image: disk.raw\n";
        String target = "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n" + lun;
        return Stream.of(
                Arguments.of("unknown top-level key",
                        "lisen: [\"127.0.0.1:3260\"]\n" + target,
                        List.of("lunport.yaml:1: lisen: unknown key (known here: listen, stateDir, allowNoAuth, discoveryAuth, targets, metrics)")),
                Arguments.of("unknown key in a LUN",
                        target + "        size: 10G\n",
                        List.of("lunport.yaml:6: targets[0].luns[0].size: unknown key (known here: id, image, overlay, readOnly, blockSize)")),
                Arguments.of("LUN id of the wrong type",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - id: zero\n        image: disk.raw\n",
                        List.of("lunport.yaml:4: targets[0].luns[0].id: expected an integer, found a string")),
                Arguments.of("readOnly of the wrong type",
                        target + "        readOnly: \"yes\"\n",
                        List.of("lunport.yaml:6: targets[0].luns[0].readOnly: expected true or false, found a string")),
                Arguments.of("luns not a list",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns: {}\n",
                        List.of("lunport.yaml:3: targets[0].luns: expected a list, found a mapping")),
                Arguments.of("listen as one string",
                        "listen: \"127.0.0.1:3260\"\n" + target,
                        List.of("lunport.yaml:1: listen: expected a list, found a string")),
                Arguments.of("missing iqn",
                        "targets:\n  - alias: web01\n" + lun,
                        List.of("lunport.yaml:2: targets[0]: missing required key 'iqn'")),
                Arguments.of("missing image",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - id: 0\n",
                        List.of("lunport.yaml:4: targets[0].luns[0]: missing required key 'image'")),
                Arguments.of("malformed IQN",
                        "targets:\n  - iqn: iqn.2026-13.io.lunport:web01\n" + lun,
                        List.of("lunport.yaml:2: targets[0].iqn: iqn. is followed by the year and month yyyy-mm (RFC 7143): iqn.2026-13.io.lunport:web01")),
                Arguments.of("upper-case IQN",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:Web01\n" + lun,
                        List.of("lunport.yaml:2: targets[0].iqn: iSCSI names are lower case (RFC 7143 normalizes them so): iqn.2026-11.io.lunport:Web01")),
                Arguments.of("IQN with a bad domain part",
                        "targets:\n  - iqn: iqn.2026-11.-lunport:web01\n" + lun,
                        List.of("lunport.yaml:2: targets[0].iqn: after iqn.yyyy-mm. comes a reversed domain name, then optionally ':' and a string of a-z 0-9 . - : (RFC 7143): iqn.2026-11.-lunport:web01")),
                Arguments.of("malformed naa name",
                        "targets:\n  - iqn: naa.12345\n" + lun,
                        List.of("lunport.yaml:2: targets[0].iqn: naa. is followed by 16 or 32 hex digits (RFC 7143): naa.12345")),
                Arguments.of("malformed eui name",
                        "targets:\n  - iqn: eui.0200\n" + lun,
                        List.of("lunport.yaml:2: targets[0].iqn: eui. is followed by 16 hex digits (RFC 7143): eui.0200")),
                Arguments.of("malformed initiator name",
                        target + "    initiators: [\"iqn.1991-05.com.microsoft:host1\", \"host2\"]\n",
                        List.of("lunport.yaml:6: targets[0].initiators[1]: not an iqn., eui. or naa. name as RFC 7143 defines them: host2")),
                Arguments.of("empty allow-list",
                        target + "    initiators: []\n",
                        List.of("lunport.yaml:6: targets[0].initiators: an empty allow-list admits no initiator; leave the key out to admit any")),
                Arguments.of("CHAP secret too short",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    auth:\n      chap: { user: hyperv, secret: short-pw }\n" + lun,
                        List.of("lunport.yaml:4: targets[0].auth.chap.secret: a CHAP secret needs at least 12 bytes, this one has 8")),
                Arguments.of("CHAP secret longer than Windows takes (a warning)",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    auth:\n      chap: { user: hyperv, secret: twenty-characters-xx }\n" + lun,
                        List.of("lunport.yaml:4: targets[0].auth.chap.secret: warning: a CHAP secret of 20 bytes is refused by the Microsoft initiator (at most 16)")),
                Arguments.of("secretFile unreadable",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    auth:\n      chap:\n        user: hyperv\n        secretFile: missing.txt\n" + lun,
                        List.of("lunport.yaml:6: targets[0].auth.chap.secretFile: cannot read DIR/missing.txt: no such file")),
                Arguments.of("secretEnv unset",
                        "discoveryAuth:\n  chap: { user: discover, secretEnv: LUNPORT_NOT_SET }\n" + target,
                        List.of("lunport.yaml:2: discoveryAuth.chap.secretEnv: environment variable LUNPORT_NOT_SET is not set")),
                Arguments.of("two secret sources",
                        "discoveryAuth:\n  chap: { user: discover, secret: twelve-chars, secretEnv: LUNPORT_CHAP }\n" + target,
                        List.of("lunport.yaml:2: discoveryAuth.chap: give only one of secret, secretEnv")),
                Arguments.of("no secret",
                        "discoveryAuth:\n  chap: { user: discover }\n" + target,
                        List.of("lunport.yaml:2: discoveryAuth.chap: missing the secret: give one of 'secret', 'secretFile', 'secretEnv'")),
                Arguments.of("mutual CHAP without CHAP",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    auth:\n      mutual: { user: target, secret: another-12-ch }\n" + lun,
                        List.of("lunport.yaml:4: targets[0].auth.mutual: mutual CHAP needs auth.chap: the target proves itself only after the initiator has")),
                Arguments.of("duplicate target names",
                        target + "  - iqn: iqn.2026-11.io.lunport:web01\n    alias: second\n    luns:\n      - id: 0\n        image: other.raw\n",
                        List.of("lunport.yaml:6: targets[1].iqn: duplicate target iqn.2026-11.io.lunport:web01 (first at line 2)")),
                Arguments.of("duplicate LUN ids",
                        target + "        overlay: a.overlay\n      - id: 0\n        image: other.raw\n        overlay: b.overlay\n",
                        List.of("lunport.yaml:7: targets[0].luns[1].id: duplicate LUN id 0 (first at line 4)")),
                Arguments.of("two LUNs sharing an overlay",
                        target + "        overlay: shared.overlay\n      - id: 1\n        image: other.raw\n        overlay: shared.overlay\n",
                        List.of("lunport.yaml:9: targets[0].luns[1].overlay: overlay DIR/shared.overlay is also the overlay of targets[0].luns[0].overlay (line 6); each LUN needs its own")),
                Arguments.of("two targets whose default overlays collide (same alias)",
                        "stateDir: state\ntargets:\n  - iqn: iqn.2026-11.io.lunport:a\n    alias: web\n" + lun
                                + "  - iqn: iqn.2026-11.io.lunport:b\n    alias: web\n    luns:\n      - id: 0\n        image: other.raw\n",
                        List.of("lunport.yaml:11: targets[1].luns[0].id: overlay DIR/state/web.overlay is also the overlay of targets[0].luns[0].id (line 6); each LUN needs its own")),
                Arguments.of("image that does not exist",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - id: 0\n        image: /nonexistent/disk.qcow2\n",
                        List.of("lunport.yaml:5: targets[0].luns[0].image: no such image file /nonexistent/disk.qcow2")),
                Arguments.of("image that is a directory",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - id: 0\n        image: .\n",
                        List.of("lunport.yaml:5: targets[0].luns[0].image: DIR is not a regular file")),
                Arguments.of("non-loopback portal without CHAP",
                        "listen: [\"0.0.0.0:3260\"]\n" + target,
                        List.of("lunport.yaml:3: targets[0].iqn: iqn.2026-11.io.lunport:web01 has no CHAP, but 0.0.0.0:3260 is not a loopback address: add auth.chap or set allowNoAuth: true")),
                Arguments.of("block size not 512 or 4096",
                        target + "        blockSize: 1024\n",
                        List.of("lunport.yaml:6: targets[0].luns[0].blockSize: must be 512 or 4096, not 1024")),
                Arguments.of("LUN id out of range",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - id: 16384\n        image: disk.raw\n",
                        List.of("lunport.yaml:4: targets[0].luns[0].id: LUN id must be 0 to 16383, not 16384")),
                Arguments.of("key given twice",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    alias: a\n    alias: b\n" + lun,
                        List.of("lunport.yaml:4: targets[0].alias: key given twice (first at line 3)")),
                Arguments.of("a target with no LUN",
                        "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    luns: []\n",
                        List.of("lunport.yaml:3: targets[0].luns: a target needs at least one LUN")),
                Arguments.of("metrics port out of range",
                        target + "metrics: { listen: \"127.0.0.1:99999\" }\n",
                        List.of("lunport.yaml:6: metrics.listen: 127.0.0.1:99999: port out of range")),
                Arguments.of("listen address that is not HOST:PORT",
                        "listen: [\"[::1:3260\"]\n" + target,
                        List.of("lunport.yaml:1: listen[0]: [::1:3260: missing ']'")),
                Arguments.of("not YAML",
                        "targets:\n  - iqn: [unclosed\n",
                        List.of("lunport.yaml:2: not valid YAML: while parsing a flow sequence")),
                Arguments.of("a list instead of a mapping",
                        "- iqn: iqn.2026-11.io.lunport:web01\n",
                        List.of("lunport.yaml:1: expected a mapping of keys (listen, stateDir, allowNoAuth, discoveryAuth, targets, metrics), found a list")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenConfigurations")
    void eachBrokenConfigurationHasItsMessage(String what, String yaml, List<String> expected) throws IOException {
        assertThat(problems(yaml)).as(what).containsExactlyElementsOf(expected);
    }

    @Test
    void everyProblemOfAFileComesOutAtOnceInLineOrder() throws IOException {
        String yaml = """
                listen: ["0.0.0.0:3260"]
                stateDir: state
                colour: blue
                targets:
                  - iqn: iqn.2026-11.io.lunport:web01
                    auth:
                      chap: { user: hyperv, secret: short }
                    luns:
                      - id: 0
                        image: missing.qcow2
                      - id: 0
                        image: disk.raw
                        blockSize: 520
                  - iqn: not-an-iqn
                    luns:
                      - { id: 0, image: other.raw }
                """;
        assertThat(problems(yaml)).containsExactly(
                "lunport.yaml:3: colour: unknown key (known here: listen, stateDir, allowNoAuth, discoveryAuth, targets, metrics)",
                "lunport.yaml:7: targets[0].auth.chap.secret: a CHAP secret needs at least 12 bytes, this one has 5",
                "lunport.yaml:10: targets[0].luns[0].image: no such image file DIR/missing.qcow2",
                "lunport.yaml:11: targets[0].luns[1].id: duplicate LUN id 0 (first at line 9)",
                "lunport.yaml:13: targets[0].luns[1].blockSize: must be 512 or 4096, not 520",
                "lunport.yaml:14: targets[1].iqn: not an iqn., eui. or naa. name as RFC 7143 defines them: not-an-iqn",
                "lunport.yaml:14: targets[1].iqn: not-an-iqn has no CHAP, but 0.0.0.0:3260 is not a loopback address: add auth.chap or set allowNoAuth: true");
    }

    @Test
    void aGoodFileGivesTheModelWithSecretsFromEverySource() throws IOException {
        String yaml = """
                listen: ["0.0.0.0:3260", "[::1]:3261"]
                stateDir: /var/lib/lunport
                discoveryAuth: { chap: { user: discover, secretEnv: LUNPORT_CHAP } }
                targets:
                  - iqn: iqn.2026-11.io.lunport:web01
                    alias: web01
                    auth:
                      chap:   { user: hyperv, secretFile: secret.txt }
                      mutual: { user: target, secret: "another-12-ch" }
                    initiators: ["iqn.1991-05.com.microsoft:host1"]
                    luns:
                      - id: 0
                        image: disk.raw
                      - id: 3
                        image: other.raw
                        overlay: /srv/o.overlay
                        readOnly: true
                        blockSize: 4096
                metrics: { listen: "127.0.0.1:9404" }
                """;
        Files.writeString(dir.resolve("lunport.yaml"), yaml);
        ConfigReader.Result result = ConfigReader.read(dir.resolve("lunport.yaml"), ENVIRONMENT::get);
        assertThat(result.problems()).isEmpty();
        LunportConfig config = result.config();
        assertThat(ConfigValidator.check(config)).isEmpty();
        assertThat(config.listen()).extracting(PortalConfig::text).containsExactly("0.0.0.0:3260", "[::1]:3261");
        assertThat(config.discoveryChap().secret()).isEqualTo("from-env-secret");
        TargetConfig web = config.targets().get(0);
        assertThat(web.chap().user()).isEqualTo("hyperv");
        assertThat(web.chap().secret()).isEqualTo("from-file-secret");
        assertThat(web.mutual().secret()).isEqualTo("another-12-ch");
        assertThat(web.admits("iqn.1991-05.com.microsoft:host1")).isTrue();
        assertThat(web.admits("iqn.1991-05.com.microsoft:host2")).isFalse();
        assertThat(web.luns()).extracting(LunConfig::id).containsExactly(0, 3);
        assertThat(config.overlayOf(web, web.luns().get(0))).isEqualTo(Path.of("/var/lib/lunport/web01.overlay"));
        assertThat(config.overlayOf(web, web.luns().get(1))).isEqualTo(Path.of("/srv/o.overlay"));
        assertThat(web.luns().get(1).readOnly()).isTrue();
        assertThat(web.luns().get(1).blockSize()).isEqualTo(4096);
        assertThat(config.metrics().listen().address().getPort()).isEqualTo(9404);
        assertThat(web.toString()).doesNotContain("from-file-secret").doesNotContain("another-12-ch");
        assertThat(config.toString()).doesNotContain("from-env-secret");
    }

    @Test
    void allowNoAuthPermitsAnExposedPortalWithoutChap() throws IOException {
        assertThat(problems("listen: [\"0.0.0.0:3260\"]\nallowNoAuth: true\ntargets:\n"
                + "  - iqn: iqn.2026-11.io.lunport:web01\n    luns:\n      - { id: 0, image: disk.raw }\n")).isEmpty();
    }

    @Test
    void noMessageCarriesASecret() throws IOException {
        List<String> messages = problems("targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n    auth:\n"
                + "      chap: { user: hyperv, secret: tiny-pw }\n      mutual: { user: t, secret: [x] }\n"
                + "    luns:\n      - { id: 0, image: disk.raw }\n");
        assertThat(messages).isNotEmpty().allSatisfy(m -> assertThat(m).doesNotContain("tiny-pw"));
    }

    /** Reads and validates {@code yaml} as DIR/lunport.yaml; messages with DIR for the directory. */
    private List<String> problems(String yaml) throws IOException {
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, yaml);
        ConfigReader.Result result = ConfigReader.read(file, ENVIRONMENT::get);
        List<ConfigProblem> all = new ArrayList<>(result.problems());
        all.addAll(ConfigValidator.check(result.config().withDefaults()));
        List<String> messages = new ArrayList<>();
        for (ConfigProblem p : new ConfigException(all).problems()) {
            messages.add(p.toString().replace(file.toString(), "lunport.yaml").replace(dir.toString(), "DIR"));
        }
        return messages;
    }
}
