package io.lunport.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigChangeTest {

    @TempDir
    Path dir;

    @BeforeEach
    void images() throws IOException {
        for (String name : new String[] {"a.raw", "b.raw", "c.raw"}) {
            Files.write(dir.resolve(name), new byte[4096]);
        }
    }

    private LunportConfig read(String yaml) throws IOException {
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, yaml);
        ConfigReader.Result result = ConfigReader.read(file, Map.<String, String>of()::get);
        assertThat(result.problems()).isEmpty();
        return result.config().withDefaults();
    }

    @Test
    void aTargetThatOnlyMovedInTheFileIsUnchanged() throws IOException {
        LunportConfig before = read("targets:\n  - iqn: iqn.2026-11.io.lunport:a\n    luns: [ { id: 0, image: a.raw } ]\n");
        LunportConfig after = read("# a comment moves everything down\n\ntargets:\n  - iqn: iqn.2026-11.io.lunport:a\n"
                + "    luns:\n      - id: 0\n        image: a.raw\n");
        ConfigChange change = ConfigChange.between(before, after);
        assertThat(change.isEmpty()).isTrue();
        assertThat(change.summary()).isEqualTo("no change");
    }

    @Test
    void addedRemovedAndChangedTargetsAndLuns() throws IOException {
        LunportConfig before = read("""
                targets:
                  - iqn: iqn.2026-11.io.lunport:keep
                    luns: [ { id: 0, image: a.raw } ]
                  - iqn: iqn.2026-11.io.lunport:grow
                    luns: [ { id: 0, image: a.raw, readOnly: true } ]
                  - iqn: iqn.2026-11.io.lunport:gone
                    luns: [ { id: 0, image: b.raw } ]
                """);
        LunportConfig after = read("""
                targets:
                  - iqn: iqn.2026-11.io.lunport:keep
                    luns: [ { id: 0, image: a.raw } ]
                  - iqn: iqn.2026-11.io.lunport:grow
                    auth: { chap: { user: u, secret: twelve-chars } }
                    luns:
                      - { id: 0, image: c.raw, readOnly: true }
                      - { id: 1, image: b.raw, readOnly: true }
                  - iqn: iqn.2026-11.io.lunport:new
                    luns: [ { id: 0, image: c.raw } ]
                listen: ["127.0.0.1:3261"]
                metrics: { listen: "127.0.0.1:9405" }
                """);
        ConfigChange change = ConfigChange.between(before, after);
        assertThat(change.added()).extracting(TargetConfig::iqn).containsExactly("iqn.2026-11.io.lunport:new");
        assertThat(change.removed()).extracting(TargetConfig::iqn).containsExactly("iqn.2026-11.io.lunport:gone");
        assertThat(change.changed()).hasSize(1);
        ConfigChange.TargetChange grow = change.changed().get(0);
        assertThat(grow.addedLuns()).extracting(LunConfig::id).containsExactly(0, 1);
        assertThat(grow.removedLuns()).extracting(LunConfig::id).containsExactly(0);
        assertThat(grow.loginRulesChanged()).isTrue();
        assertThat(change.needsRestart()).containsExactly(
                "listen changed from [127.0.0.1:3260] to [127.0.0.1:3261]: portals change on a restart only",
                "metrics.listen changed from none to 127.0.0.1:9405: the metrics endpoint moves on a restart only");
        assertThat(change.summary()).isEqualTo("added iqn.2026-11.io.lunport:new; removed iqn.2026-11.io.lunport:gone; "
                + "changed iqn.2026-11.io.lunport:grow (+LUN 0, +LUN 1, -LUN 0, login rules)");
    }
}
