package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lunport mount}: every image appears as NAME.vhdx in a real FUSE mount, and qemu's own
 * VHDX driver is the judge: it checks the files, compares them with the images, writes into
 * them (allocating blocks, writing its log, updating the BAT) and reads the writes back
 * after an unmount, a remount and a SIGKILL of the server.
 */
class PluginMountTest {

    private static final long MIB = TestImages.MIB;
    private static Path work;
    private static Path raw;

    @BeforeAll
    static void images() {
        work = Itwork.fresh(Itwork.dir("plugin-mount"));
        // Data at 0, 64 and 128 MiB (1 MiB each): VHDX blocks 1 and 3 (32 MiB each) are holes.
        raw = TestImages.striped(work.resolve("disk.raw"), 150 * MIB, 11, 64 * MIB, (int) MIB);
    }

    private static Path convert(String format, String name, String... options) {
        Path image = work.resolve(name);
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-img", "convert", "-f", "raw", "-O", format));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of(raw.toString(), image.toString()));
        Tools.check(cmd.toArray(String[]::new));
        return image;
    }

    private static String sha256(Path file) {
        return Tools.check("sha256sum", file.toString()).stdout().split(" ")[0];
    }

    @Test
    void everyFormatAndAChainReadsAsItsImage() throws Exception {
        Map<String, Path> images = new LinkedHashMap<>();
        Map<String, String> formats = new LinkedHashMap<>();
        images.put("raw", raw);
        formats.put("raw", "raw");
        images.put("qcow2", convert("qcow2", "disk.qcow2"));
        formats.put("qcow2", "qcow2");
        images.put("vmdk", convert("vmdk", "disk.vmdk"));
        formats.put("vmdk", "vmdk");
        images.put("vhd", convert("vpc", "disk.vhd", "-o", "subformat=dynamic,force_size=on"));
        formats.put("vhd", "vpc");
        Path base = convert("qcow2", "chain-base.qcow2");
        Path child = work.resolve("chain-child.qcow2");
        Tools.check("qemu-img", "create", "-f", "qcow2", "-F", "qcow2", "-b", base.toString(), child.toString());
        Tools.check("qemu-io", "-f", "qcow2", "-c", "write -P 0x66 10M 1M", "-c", "write -P 0x67 96M 64k", child.toString());
        images.put("chain", child);
        formats.put("chain", "qcow2");
        // A plugin stub shows the image it points to.
        Path stub = work.resolve("stub.vhdx");
        Tools.check(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                LunportProcess.jar().toString(), "stub", images.get("qcow2").toString(), "-o", stub.toString(), "--force");
        images.put("stub", stub);
        formats.put("stub", "qcow2");

        try (MountProcess mount = MountProcess.start(work.resolve("mnt-formats"), Itwork.fresh(work.resolve("state-formats")),
                images)) {
            for (var e : images.entrySet()) {
                String file = mount.file(e.getKey()).toString();
                String info = Tools.check("qemu-img", "info", "--output=json", "-f", "vhdx", file).stdout();
                assertThat(info).as(e.getKey()).contains("\"format\": \"vhdx\"")
                        .contains("\"virtual-size\": " + 150 * MIB);
                Tools.check("qemu-img", "check", "-f", "vhdx", file);
                Path oracle = e.getKey().equals("stub") ? images.get("qcow2") : e.getValue();
                String compare = Tools.check(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "vhdx", "-F",
                        formats.get(e.getKey()), file, oracle.toString()).stdout();
                assertThat(compare).as(e.getKey()).contains("Images are identical");
            }
        }
    }

    @Test
    void theLunsOfAConfigurationFileAppearUnderTheirTargetsNames() throws Exception {
        Path qcow2 = convert("qcow2", "config-disk.qcow2");
        Path config = work.resolve("mount.yaml");
        Files.writeString(config, "stateDir: \"" + Itwork.fresh(work.resolve("state-config")) + "\"\n"
                + "targets:\n"
                + "  - iqn: iqn.2026-11.io.lunport:web01\n"
                + "    luns: [ { id: 0, image: \"" + qcow2 + "\" } ]\n"
                + "  - iqn: iqn.2026-11.io.lunport:db\n"
                + "    alias: db01\n"
                + "    luns: [ { id: 0, image: \"" + raw + "\" }, { id: 1, image: \"" + qcow2 + "\" } ]\n");
        Path dir = work.resolve("mnt-config");
        try (MountProcess mount = MountProcess.startWithConfig(dir, config)) {
            try (var files = Files.list(dir)) {
                assertThat(files.map(f -> f.getFileName().toString()))
                        .containsExactlyInAnyOrder("web01.vhdx", "db01-lun0.vhdx", "db01-lun1.vhdx");
            }
            assertThat(Tools.check(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "vhdx", "-F", "qcow2",
                    mount.file("web01").toString(), qcow2.toString()).stdout()).contains("Images are identical");
            assertThat(Tools.check(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "vhdx", "-F", "raw",
                    mount.file("db01-lun0").toString(), raw.toString()).stdout()).contains("Images are identical");
        }
        // The file is validated as for serve: a mistake is refused by file, line and key.
        Path broken = work.resolve("broken.yaml");
        Files.writeString(broken, "targets:\n  - iqn: iqn.2026-11.io.lunport:web01\n"
                + "    luns: [ { id: 0, image: \"" + work.resolve("missing.qcow2") + "\" } ]\n");
        Tools.Result r = Tools.run(Duration.ofSeconds(60), Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LunportProcess.jar().toString(), "mount", Files.createDirectories(work.resolve("mnt-broken")).toString(),
                "--config", broken.toString());
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
        assertThat(r.stderr()).as(r.describe())
                .contains(broken + ":3: targets[0].luns[0].image: no such image file " + work.resolve("missing.qcow2"));
    }

    @Test
    void qemuWritesSurviveAnUnmountAndASigkill() throws Exception {
        Path image = convert("qcow2", "written.qcow2");
        String sha = sha256(image);
        Path dir = work.resolve("mnt-written");
        Path state = Itwork.fresh(work.resolve("state-written"));
        Map<String, Path> images = Map.of("vm", image);
        String[] firstReads = {"-c", "read -P 0xa5 40M 64k", "-c", "read -P 0x5a 100k 8k", "-c", "read -P 0 41M 1M"};

        try (MountProcess mount = MountProcess.start(dir, state, images)) {
            String file = mount.file("vm").toString();
            // 40 MiB is in a hole: qemu allocates a block (appended past the end), logs and updates the BAT.
            Tools.check("qemu-io", "-f", "vhdx", "-c", "write -P 0xa5 40M 64k", "-c", "write -P 0x5a 100k 8k",
                    "-c", "flush", file);
            Tools.check("qemu-img", "check", "-f", "vhdx", file);
        }
        try (MountProcess mount = MountProcess.start(dir, state, images)) {
            String file = mount.file("vm").toString();
            Tools.check("qemu-img", "check", "-f", "vhdx", file);
            assertPatterns(file, firstReads);
            Tools.check("qemu-io", "-f", "vhdx", "-c", "write -P 0x77 100M 4k", "-c", "write -P 0x3c 128M 4k",
                    "-c", "flush", file);
            mount.kill();
        }
        try (MountProcess mount = MountProcess.start(dir, state, images)) {
            String file = mount.file("vm").toString();
            Tools.check("qemu-img", "check", "-f", "vhdx", file);
            assertPatterns(file, firstReads);
            assertPatterns(file, "-c", "read -P 0x77 100M 4k", "-c", "read -P 0x3c 128M 4k");
            // The rest of the disk is still the image's.
            Path copy = work.resolve("written-copy.raw");
            Tools.check(Duration.ofSeconds(120), "qemu-img", "convert", "-f", "vhdx", "-O", "raw", file, copy.toString());
            Path expected = copyOf(raw, work.resolve("expected.raw"));
            Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0xa5 40M 64k", "-c", "write -P 0x5a 100k 8k",
                    "-c", "write -P 0x77 100M 4k", "-c", "write -P 0x3c 128M 4k", expected.toString());
            TestImages.assertSameBytes(expected, copy);
        }
        assertThat(sha256(image)).as("the image never changes").isEqualTo(sha);
    }

    private static Path copyOf(Path from, Path to) throws java.io.IOException {
        Files.copy(from, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        return to;
    }

    private static void assertPatterns(String file, String... reads) {
        List<String> cmd = new java.util.ArrayList<>(List.of("qemu-io", "-f", "vhdx"));
        cmd.addAll(List.of(reads));
        cmd.add(file);
        Tools.Result r = Tools.check(cmd.toArray(String[]::new));
        assertThat(r.output()).as(r.describe()).doesNotContain("Pattern verification failed").doesNotContain("error");
    }

    @Test
    void usageErrorsExitTwoAndNameWhatIsWrong() throws Exception {
        Path dir = Files.createDirectories(work.resolve("mnt-usage"));
        String jar = LunportProcess.jar().toString();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Map<String, String> cases = new LinkedHashMap<>();
        cases.put("--lun", "lunport mount: nothing to mount: give targets in the file or --lun NAME=IMAGE");
        cases.put("--lun bad/name=" + raw, "image name 'bad/name'");
        cases.put("--lun x=" + work.resolve("missing.qcow2"), "missing.qcow2");
        for (var c : cases.entrySet()) {
            List<String> cmd = new java.util.ArrayList<>(List.of(java, "-jar", jar, "mount", dir.toString(),
                    "--state-dir", work.resolve("state-usage").toString()));
            if (!c.getKey().equals("--lun")) {
                cmd.addAll(List.of(c.getKey().split(" ")));
            }
            Tools.Result r = Tools.run(Duration.ofSeconds(60), cmd);
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderr()).as(r.describe()).contains(c.getValue());
        }
        Tools.Result notDir = Tools.run(Duration.ofSeconds(60), java, "-jar", jar, "mount", raw.toString(), "--lun",
                "x=" + raw);
        assertThat(notDir.exitCode()).as(notDir.describe()).isEqualTo(2);
        assertThat(notDir.stderr()).contains("is not a directory");
    }
}
