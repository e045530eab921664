package io.lunport.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.config.ConfigException;
import io.lunport.pluginfs.ImageSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The file names {@code mount --config} gives the LUNs of a configuration file, and its refusals. */
class MountConfigurationTest {

    @TempDir
    Path dir;

    @Test
    void namesComeFromAliasOrIqnWithTheLunWhenATargetHasSeveral() throws Exception {
        Files.write(dir.resolve("a.raw"), new byte[8192]);
        Files.write(dir.resolve("b.raw"), new byte[8192]);
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "stateDir: from-file\ntargets:\n"
                + "  - iqn: iqn.2026-11.io.lunport:web01\n    luns: [ { id: 0, image: a.raw } ]\n"
                + "  - iqn: iqn.2026-11.io.lunport:db\n    alias: db01\n"
                + "    luns: [ { id: 0, image: a.raw, readOnly: true }, { id: 3, image: b.raw } ]\n");
        MountConfiguration.Assembled assembled = new MountConfiguration(file, List.of("extra=" + dir.resolve("b.raw")), null)
                .assemble(Map.<String, String>of()::get);
        assertThat(assembled.images()).extracting(ImageSpec::name).containsExactly("web01", "db01-lun0", "db01-lun3", "extra");
        assertThat(assembled.images().get(2).image()).isEqualTo(dir.resolve("b.raw"));
        assertThat(assembled.stateDir()).isEqualTo(dir.resolve("from-file"));
        assertThat(new MountConfiguration(file, List.of(), dir.resolve("flag")).assemble(Map.<String, String>of()::get)
                .stateDir()).as("--state-dir replaces the file's").isEqualTo(dir.resolve("flag"));
    }

    @Test
    void theFilesProblemsAndClashingNamesComeOutTogether() throws Exception {
        Files.write(dir.resolve("a.raw"), new byte[8192]);
        Path file = dir.resolve("lunport.yaml");
        Files.writeString(file, "targets:\n"
                + "  - iqn: iqn.2026-11.io.lunport:web01\n    luns: [ { id: 0, image: a.raw } ]\n"
                // read-only: serve would not write it, so only the mount's file names clash
                + "  - iqn: iqn.2026-11.io.other:web01\n    luns: [ { id: 0, image: missing.raw, readOnly: true } ]\n");
        assertThatThrownBy(() -> new MountConfiguration(file, List.of("web01=" + dir.resolve("a.raw"), "nonsense"), null)
                .assemble(Map.<String, String>of()::get))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).extracting(Object::toString).containsExactlyInAnyOrder(
                        file + ":5: targets[1].luns[0].image: no such image file " + dir.resolve("missing.raw"),
                        file + ":5: targets[1].luns[0].id: web01.vhdx is already the file of line 3;"
                                + " each needs its own name (a target's alias sets it)",
                        "--lun web01=" + dir.resolve("a.raw") + ": web01.vhdx is already the file of line 3;"
                                + " each needs its own name (a target's alias sets it)",
                        "--lun nonsense: --lun takes NAME=IMAGE, not 'nonsense'"));
    }
}
