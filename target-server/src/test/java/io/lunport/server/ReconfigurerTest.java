package io.lunport.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.config.ConfigException;
import io.lunport.config.ConfigReader;
import io.lunport.config.ConfigValidator;
import io.lunport.config.LunportConfig;
import io.lunport.iscsi.session.SessionRegistry;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.server.metrics.ServerMetrics;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads applied to a registry of real LUNs (raw files and overlays in a temporary directory),
 * and what they plug in and unplug: metrics and EXTENDED COPY's copy targets.
 */
class ReconfigurerTest {

    @TempDir
    Path dir;

    private LunportConfig config(String yaml) throws IOException {
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "stateDir: state\n" + yaml);
        ConfigReader.Result read = ConfigReader.read(file, Map.<String, String>of()::get);
        assertThat(read.problems()).isEmpty();
        LunportConfig config = read.config().withDefaults();
        assertThat(ConfigValidator.check(config)).isEmpty();
        return config;
    }

    @Test
    void addsAndRemovesLunsAndTargetsAndRefusesASecondWriterOnAnOverlay() throws Exception {
        Files.write(dir.resolve("a.raw"), new byte[64 * 1024]);
        Files.write(dir.resolve("b.raw"), new byte[64 * 1024]);
        LunportConfig first = config("targets:\n  - iqn: iqn.2026-11.io.lunport:a\n    luns: [ { id: 0, image: a.raw } ]\n");
        TranslationContext context = TranslationContext.defaults();
        TargetOpener.Opened opened = TargetOpener.open(first, first.targets(), context);
        TargetRegistry registry = new TargetRegistry();
        SessionRegistry sessions = new SessionRegistry();
        ServerMetrics metrics = new ServerMetrics(context);
        CopyTargets copyTargets = new CopyTargets();
        TargetWiring wiring = new TargetWiring(metrics, copyTargets, sessions, List.of(1));
        opened.targets().forEach(wiring::plugIn);
        opened.targets().forEach(registry::add);
        try (Reconfigurer reconfigurer = new Reconfigurer(first, registry, sessions, context, wiring)) {
            Reconfigurer.Outcome grown = reconfigurer.apply(config("targets:\n  - iqn: iqn.2026-11.io.lunport:a\n"
                    + "    luns: [ { id: 0, image: a.raw }, { id: 1, image: b.raw, readOnly: true } ]\n"
                    + "  - iqn: iqn.2026-11.io.lunport:b\n    luns: [ { id: 0, image: b.raw, readOnly: true } ]\n"));
            assertThat(grown.summary()).isEqualTo("added iqn.2026-11.io.lunport:b; changed iqn.2026-11.io.lunport:a (+LUN 1)");
            assertThat(registry.find("iqn.2026-11.io.lunport:a").device().luns()).containsExactly(0, 1);
            assertThat(registry.find("iqn.2026-11.io.lunport:b")).isNotNull();
            LogicalUnit addedLun = registry.find("iqn.2026-11.io.lunport:a").device().unit(1);
            LogicalUnit addedTargetsLun = registry.find("iqn.2026-11.io.lunport:b").device().unit(0);
            assertThat(metrics.registry().getNames()).contains(
                    "lunport.lun.iqn.2026-11.io.lunport:a.1.read_bytes", "lunport.lun.iqn.2026-11.io.lunport:b.0.read_bytes",
                    "lunport.target.iqn.2026-11.io.lunport:b.logins");
            assertThat(copyTargets.byNaaDesignator(addedLun.naaDesignator())).isNotNull();
            assertThat(copyTargets.byNaaDesignator(addedTargetsLun.naaDesignator()).targetName())
                    .isEqualTo("iqn.2026-11.io.lunport:b");

            // LUN 0 would get a second writer on a/overlay while the first is still open: refused, nothing changes.
            assertThatThrownBy(() -> reconfigurer.apply(config("targets:\n  - iqn: iqn.2026-11.io.lunport:a\n"
                    + "    luns: [ { id: 0, image: a.raw, blockSize: 4096 } ]\n")))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageEndingWith(": targets[0].luns[0].id: overlay " + dir.resolve("state/a.overlay")
                            + " is still open for iqn.2026-11.io.lunport:a LUN 0, which this reload takes down:"
                            + " take it down in one reload and bring the new LUN up in the next, or restart");
            assertThat(registry.find("iqn.2026-11.io.lunport:a").device().luns()).containsExactly(0, 1);
            assertThat(registry.find("iqn.2026-11.io.lunport:b")).isNotNull();

            Reconfigurer.Outcome shrunk = reconfigurer.apply(config("targets:\n  - iqn: iqn.2026-11.io.lunport:a\n"
                    + "    luns: [ { id: 0, image: a.raw } ]\n"));
            assertThat(shrunk.summary()).isEqualTo("removed iqn.2026-11.io.lunport:b; changed iqn.2026-11.io.lunport:a (-LUN 1)");
            assertThat(registry.find("iqn.2026-11.io.lunport:a").device().luns()).containsExactly(0);
            assertThat(registry.find("iqn.2026-11.io.lunport:b")).isNull();
            assertThat(metrics.registry().getNames())
                    .contains("lunport.lun.iqn.2026-11.io.lunport:a.0.read_bytes")
                    .noneMatch(n -> n.startsWith("lunport.lun.iqn.2026-11.io.lunport:a.1.")
                            || n.contains("io.lunport:b."));
            assertThat(copyTargets.byNaaDesignator(addedLun.naaDesignator())).isNull();
            assertThat(copyTargets.byNaaDesignator(addedTargetsLun.naaDesignator())).isNull();
        } finally {
            for (var target : registry.targets()) {
                target.device().close();
            }
        }
    }
}
