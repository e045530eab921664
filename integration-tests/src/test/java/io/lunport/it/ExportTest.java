package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.lunport.it.ExportSources.Source;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code lunport export} as a user runs it: the built jar as a process, sources made by
 * qemu-img, and qemu-img / cmp as the oracle for every byte. Raw output keeps the disk's
 * holes; bad input (an existing output, an output that is an input, bad flags, a full disk,
 * Ctrl-C) loses nothing and leaves no partial file.
 */
class ExportTest {

    private static Path dir;
    private static ExportSources sources;

    @BeforeAll
    static void sources() {
        dir = Itwork.fresh(Itwork.dir("export"));
        sources = new ExportSources(dir);
    }

    static List<String> kinds() {
        return ExportSources.KINDS;
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void rawExportHoldsTheDiskAndLeavesItsHolesAsHoles(String kind) throws IOException {
        Source source = sources.get(kind);
        Path out = dir.resolve(kind + ".export.raw");
        Tools.Result r = LunportCli.check("export", source.image().toString(), "-o", out.toString(), "--format", "raw");
        assertThat(r.stdout().lines().toList()).as("one summary line, no progress bar off a terminal").hasSize(1);
        assertThat(r.stdout()).startsWith("lunport: exported " + out).contains(" written in ").contains("MiB/s");
        TestImages.assertSameBytes(source.expected(), out);
        assertThat(Tools.check("qemu-img", "compare", "-f", "raw", "-F", source.qemuFormat(), out.toString(),
                source.image().toString()).stdout()).contains("Images are identical");
        // 15 MiB of data (17 in the chain) in 203 MiB: only the data takes room on disk
        assertThat(allocatedBytes(out)).as("bytes allocated to %s", out).isLessThan(24L * TestImages.MIB);
    }

    @ParameterizedTest
    @MethodSource("kinds")
    void vhdxExportIsAFullyAllocatedVhdxThatQemuAndLibvhdiReadAsTheDisk(String kind) throws IOException {
        Source source = sources.get(kind);
        Path out = dir.resolve(kind + ".export.vhdx");
        Tools.Result r = LunportCli.check("export", source.image().toString(), "-o", out.toString(), "--format", "vhdx");
        assertThat(r.stdout().lines().toList()).hasSize(1);
        assertThat(r.stdout()).startsWith("lunport: exported " + out);

        assertThat(Tools.check("qemu-img", "check", "-f", "vhdx", out.toString()).stdout())
                .contains("No errors were found");
        String info = Tools.check("qemu-img", "info", "--output=json", out.toString()).stdout().replace(" ", "");
        assertThat(info).contains("\"format\":\"vhdx\"").contains("\"virtual-size\":" + ExportSources.SIZE + ",");
        assertThat(Tools.check("qemu-img", "compare", "-f", "vhdx", "-F", source.qemuFormat(), out.toString(),
                source.image().toString()).stdout()).contains("Images are identical");
        assertThat(Libvhdi.info(out)).contains("VHDX").contains("(" + ExportSources.SIZE + " bytes)")
                .contains("Bytes per sector\t: 512 bytes");
        assertNotSparse(out);
        // The stored 32 MiB blocks hold 3 MiB of data each: the file was allocated whole (fallocate)
        // and only what is not zeros was written, 15 MiB of data plus the headers and the BAT.
        assertThat(bytesWritten(r.stdout())).as("bytes written, of a %d-byte file", Files.size(out))
                .isLessThan(24L * TestImages.MIB);
        // Only the blocks with data are stored, whatever the source's layout (a fixed-size one
        // made by truncating a file says which blocks hold data through the file's holes): as
        // many as for the disk's bytes as a raw file that qemu-img wrote sparse. (qemu-img map
        // cannot tell: it reports every block of any VHDX as data.)
        Path reference = dir.resolve(kind + ".reference.vhdx");
        LunportCli.check("export", source.expected().toString(), "-o", reference.toString(), "--format", "vhdx",
                "--force");
        assertThat(Files.size(out)).as("length of %s, against %s", out, reference).isEqualTo(Files.size(reference));
    }

    /** The bytes written, from the summary line ({@code ... 2.1 GiB (2254857830 bytes) written in ...}). */
    static long bytesWritten(String summary) {
        Matcher m = Pattern.compile("\\((\\d+) bytes\\) written in ").matcher(summary);
        assertThat(m.find()).as("summary %s", summary).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** 4096-byte logical sectors: qemu 7.2 cannot open them, so libvhdi reads the disk back. */
    @ParameterizedTest
    @ValueSource(strings = {"qcow2-deflate", "chain"})
    void vhdxWith4096ByteSectorsIsReadByLibvhdiAsTheDisk(String kind) throws IOException {
        Source source = sources.get(kind);
        Path out = dir.resolve(kind + ".export-4k.vhdx");
        LunportCli.check("export", source.image().toString(), "-o", out.toString(), "--format", "vhdx",
                "--sector-size", "4096");
        assertThat(Libvhdi.info(out)).contains("Bytes per sector\t: 4096 bytes");
        Path back = dir.resolve(kind + ".export-4k.libvhdi.raw");
        assertThat(Libvhdi.readAll(out, back)).isEqualTo(ExportSources.SIZE + " 4096");
        TestImages.assertSameBytes(source.expected(), back);
        assertNotSparse(out);
    }

    /** A plugin stub exports as the image it points to: the same VHDX, byte for byte, and the same raw disk. */
    @Test
    void aStubExportsAsItsImage() throws IOException {
        Source source = sources.get("chain");
        Path stub = dir.resolve("chain.stub.vhdx");
        LunportCli.check("stub", source.image().toString(), "-o", stub.toString(), "--force");
        Path fromStub = dir.resolve("chain.from-stub.vhdx");
        Path fromImage = dir.resolve("chain.from-image.vhdx");
        LunportCli.check("export", stub.toString(), "-o", fromStub.toString(), "--format", "vhdx", "--force");
        LunportCli.check("export", source.image().toString(), "-o", fromImage.toString(), "--format", "vhdx", "--force");
        TestImages.assertSameBytes(fromImage, fromStub);
        assertThat(Tools.check("qemu-img", "compare", "-f", "vhdx", "-F", "raw", fromStub.toString(),
                source.expected().toString()).stdout()).contains("Images are identical");
        assertNotSparse(fromStub);

        Path raw = dir.resolve("chain.from-stub.raw");
        LunportCli.check("export", stub.toString(), "-o", raw.toString(), "--force");
        TestImages.assertSameBytes(source.expected(), raw);
    }

    /** Windows refuses sparse VHDX files: every block of the file must be allocated. */
    static void assertNotSparse(Path file) throws IOException {
        assertThat(allocatedBytes(file)).as("bytes allocated to %s (apparent size %d)", file, Files.size(file))
                .isGreaterThanOrEqualTo(Files.size(file));
    }

    /** On a terminal (a pty from util-linux's script) a bar is redrawn in place, then the summary line follows. */
    @Test
    void aTerminalGetsAProgressBar() {
        Path out = dir.resolve("terminal.vhdx");
        String command = String.join(" ", LunportCli.command("export", sources.get("qcow2-deflate").image().toString(),
                "-o", out.toString(), "--format", "vhdx", "--force"));
        Tools.Result r = Tools.check(LunportCli.TIMEOUT, "script", "-qec", command, "/dev/null");
        assertThat(r.stdout()).as(r.describe()).contains("\rexport [").contains(" MiB/s ")
                .contains("lunport: exported " + out);
    }

    @Test
    void anExistingOutputIsKeptUnlessForced() throws IOException {
        Path out = dir.resolve("existing.raw");
        Files.writeString(out, "keep me");
        Tools.Result refused = LunportCli.run("export", sources.raw().toString(), "-o", out.toString());
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(2);
        assertThat(refused.stderr()).contains(out.toString()).contains("exists").contains("--force");
        assertThat(Files.readString(out)).isEqualTo("keep me");

        LunportCli.check("export", sources.raw().toString(), "-o", out.toString(), "--force");
        TestImages.assertSameBytes(sources.raw(), out);
    }

    @Test
    void noInputOfTheExportCanBeItsOutput() throws IOException {
        Source chain = sources.get("chain");
        Path base = chain.image().resolveSibling("chain-base.vmdk");
        for (Path input : List.of(chain.image(), base)) {
            String before = sha256(input);
            Tools.Result r = LunportCli.run("export", chain.image().toString(), "-o", input.toString(), "--force");
            assertThat(r.exitCode()).as(r.describe()).isEqualTo(2);
            assertThat(r.stderr()).contains("-o " + input).contains("an input of the export");
            assertThat(sha256(input)).as("%s untouched", input).isEqualTo(before);
        }
    }

    @Test
    void badFlagsAreUsageErrorsNamingTheFlag() {
        Tools.Result size = LunportCli.run("export", sources.raw().toString(), "-o", dir.resolve("x").toString(),
                "--format", "vhdx", "--sector-size", "1024");
        assertThat(size.exitCode()).isEqualTo(2);
        assertThat(size.stderr()).contains("--sector-size 1024").contains("512 or 4096");
        Path out = dir.resolve("never-written");
        Tools.Result format = LunportCli.run("export", sources.raw().toString(), "-o", out.toString(), "--format", "qcow2");
        assertThat(format.exitCode()).isEqualTo(2);
        assertThat(format.stderr()).contains("--format qcow2").contains("raw");
        Tools.Result sector = LunportCli.run("export", sources.raw().toString(), "-o", out.toString(), "--format", "raw",
                "--sector-size", "4096");
        assertThat(sector.exitCode()).isEqualTo(2);
        assertThat(sector.stderr()).contains("--sector-size");
        assertThat(out).doesNotExist();
    }

    /** A real full file system: an 8 MiB tmpfs (the tests run as root, as CI does). */
    @Test
    void aFullDiskIsOneClearLineAndThePartialFileIsRemoved() throws IOException {
        Path mount = Itwork.fresh(dir.resolve("tmpfs-8m"));
        Tools.check("mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mount.toString());
        try {
            for (String format : List.of("raw", "vhdx")) {
                Path out = mount.resolve("full." + format);
                Tools.Result r = LunportCli.run("export", sources.get("qcow2-deflate").image().toString(), "-o",
                        out.toString(), "--format", format);
                assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
                assertThat(r.stderr().lines().toList()).as(r.describe()).hasSize(1);
                assertThat(r.stderr()).contains(out.toString()).contains("No space left on device")
                        .contains("partial file removed");
                try (Stream<Path> left = Files.list(mount)) {
                    assertThat(left).as("files left on the full file system").isEmpty();
                }
            }
        } finally {
            Tools.check("umount", mount.toString());
        }
    }

    @Test
    void ctrlCRemovesThePartialFile() throws Exception {
        Path big = dir.resolve("interrupted-source.raw");
        Path out = dir.resolve("interrupted.raw");
        Path log = dir.resolve("interrupted.log");
        writeRepeatedRandom(big, 2L << 30);
        Process export = new ProcessBuilder(LunportCli.command("export", big.toString(), "-o", out.toString()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(out) || Files.size(out) < 128L * TestImages.MIB) {
                if (!export.isAlive() || System.nanoTime() > deadline) {
                    fail("export ended or stalled before writing 128 MiB:\n" + Files.readString(log));
                }
                Thread.sleep(5);
            }
            Tools.check("kill", "-INT", Long.toString(export.pid()));
            assertThat(export.waitFor(30, TimeUnit.SECONDS)).as("export exits after SIGINT").isTrue();
            String printed = Files.readString(log);
            assertThat(export.exitValue()).as(printed).isEqualTo(130);
            assertThat(printed).contains("interrupted").contains("partial file removed");
            assertThat(out).as(printed).doesNotExist();
        } finally {
            export.destroyForcibly();
            Files.deleteIfExists(big);
        }
    }

    @Test
    void anOverlaysWritesAreFoldedIn() throws IOException {
        Source source = sources.get("qcow2-deflate");
        Path state = Itwork.fresh(dir.resolve("overlay-state"));
        try (LunportProcess server = LunportProcess.builder("export-overlay").lun("ov", source.image()).stateDir(state)
                .start()) {
            // 150M lies in a block the image leaves empty; 80M..82M discards image data; 5119k is unaligned.
            Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 64k", "-c", "write -P 0x5c 5119k 3k",
                    "-c", "write -P 0x77 150M 1M", "-c", "discard 80M 2M", "-c", "flush", server.url("ov"));
        }
        Path overlay = state.resolve("ov.overlay");
        Path expected = dir.resolve("overlay-expected.raw");
        Files.copy(source.expected(), expected, StandardCopyOption.REPLACE_EXISTING);
        try (RandomAccessFile f = new RandomAccessFile(expected.toFile(), "rw")) {
            fill(f, 1L << 20, 64 << 10, 0xab);
            fill(f, 5119L << 10, 3 << 10, 0x5c);
            fill(f, 150L << 20, 1 << 20, 0x77);
            fill(f, 80L << 20, 2 << 20, 0);
        }

        String overlayBefore = sha256(overlay);
        Tools.Result refused = LunportCli.run("export", source.image().toString(), "--overlay", overlay.toString(),
                "-o", overlay.toString(), "--force");
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(2);
        assertThat(sha256(overlay)).as("the overlay is never written").isEqualTo(overlayBefore);

        Path out = dir.resolve("overlay.export.raw");
        LunportCli.check("export", source.image().toString(), "--overlay", overlay.toString(), "-o", out.toString());
        TestImages.assertSameBytes(expected, out);

        Path vhdx = dir.resolve("overlay.export.vhdx");
        LunportCli.check("export", source.image().toString(), "--overlay", overlay.toString(), "-o", vhdx.toString(),
                "--format", "vhdx");
        assertThat(Tools.check("qemu-img", "compare", "-f", "vhdx", "-F", "raw", vhdx.toString(), expected.toString())
                .stdout()).contains("Images are identical");
    }

    static void fill(RandomAccessFile f, long offset, int length, int value) throws IOException {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) value);
        f.seek(offset);
        f.write(b);
    }

    /** Blocks the file system allocated to {@code file} ({@code stat}), in bytes. */
    static long allocatedBytes(Path file) {
        String[] blocks = Tools.check("stat", "-c", "%b %B", file.toString()).stdout().trim().split(" ");
        return Long.parseLong(blocks[0]) * Long.parseLong(blocks[1]);
    }

    static String sha256(Path file) {
        return Tools.check("sha256sum", file.toString()).stdout().split(" ")[0];
    }

    /** {@code size} bytes of one seeded random MiB over and over: data everywhere, written fast. */
    private static void writeRepeatedRandom(Path file, long size) throws IOException {
        byte[] mib = new byte[TestImages.MIB];
        new Random(99).nextBytes(mib);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(mib);
            for (long at = 0; at < size; at += mib.length) {
                buffer.clear();
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
        }
    }
}
