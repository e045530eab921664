package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code lunport stub} end to end: the built jar writes stubs that qemu-img and vhdiinfo
 * accept, a server serves a stub as its image (qemu-img compare over iSCSI against the raw
 * file), {@code inspect} shows the pointer, a changed source is refused with exit code 2,
 * and a sparse 2 TiB image gets a small stub at once.
 */
class StubCliTest {

    private static final long SIZE = 40L * TestImages.MIB + 3 * 512;

    private static Path dir;
    private static Path raw;
    private static Path qcow2;
    private static Path chain;

    @BeforeAll
    static void images() {
        dir = Itwork.fresh(Itwork.dir().resolve("stubs"));
        raw = TestImages.holey(dir.resolve("source.raw"), SIZE, 51);
        qcow2 = dir.resolve("disk.qcow2");
        Tools.check("qemu-img", "convert", "-f", "raw", "-O", "qcow2", "-c", raw.toString(), qcow2.toString());
        // A chain: qcow2 written by qemu-io over a VMDK of the raw file.
        Path base = dir.resolve("chain-base.vmdk");
        chain = dir.resolve("chain-top.qcow2");
        Tools.check("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), base.toString());
        Tools.check("qemu-img", "create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "vmdk", chain.toString());
        Tools.check("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 3M 2M", "-c", "write -z 9M 1M", chain.toString());
    }

    static Tools.Result lunport(String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LunportProcess.jar().toString()));
        command.addAll(List.of(args));
        return Tools.run(Duration.ofSeconds(60), command);
    }

    private static Path stub(Path image, String name, String... options) {
        return stubCommand(image, name, options).stub();
    }

    /** A stub written by the CLI, and the summary line it printed. */
    private record Written(Path stub, String summary) {
    }

    private static Written stubCommand(Path image, String name, String... options) {
        Path stub = dir.resolve(name);
        List<String> args = new ArrayList<>(List.of("stub", image.toString(), "-o", stub.toString()));
        args.addAll(List.of(options));
        Tools.Result r = lunport(args.toArray(String[]::new));
        assertThat(r.ok()).as(r.describe()).isTrue();
        assertThat(r.stdout()).startsWith("lunport: wrote stub " + stub);
        return new Written(stub, r.stdout().strip());
    }

    @Test
    void stubsAreVhdxFilesThatQemuAndLibvhdiAccept() throws IOException {
        for (Path image : List.of(qcow2, chain)) {
            Path stub = stub(image, image.getFileName() + ".vhdx");
            assertThat(Tools.check("qemu-img", "check", "-f", "vhdx", stub.toString()).stdout()).contains("No errors were found");
            assertThat(Tools.check("qemu-img", "info", "-f", "vhdx", stub.toString()).stdout())
                    .contains("virtual size: 40 MiB (" + SIZE + " bytes)");
            assertThat(Tools.check("vhdiinfo", stub.toString()).stdout()).contains("(" + SIZE + " bytes)")
                    .contains("Bytes per sector\t: 512 bytes");
        }
        Path fourK = stub(qcow2, "disk-4k.vhdx", "--sector-size", "4096");
        long rounded = (SIZE + 4095) / 4096 * 4096;
        assertThat(Tools.check("vhdiinfo", fourK.toString()).stdout()).contains("(" + rounded + " bytes)")
                .contains("Bytes per sector\t: 4096 bytes");
    }

    @Test
    void anExistingStubIsReplacedOnlyWithForceAndRegenerationIsByteIdentical() throws IOException {
        Path stub = stub(qcow2, "regen.vhdx");
        byte[] first = Files.readAllBytes(stub);
        Tools.Result refused = lunport("stub", qcow2.toString(), "-o", stub.toString());
        assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(2);
        assertThat(refused.stderr()).contains(stub.toString()).contains("--force");
        stub(qcow2, "regen.vhdx", "--force");
        assertThat(Files.readAllBytes(stub)).isEqualTo(first);
        Tools.Result badSector = lunport("stub", qcow2.toString(), "-o", dir.resolve("x.vhdx").toString(), "--sector-size", "1024");
        assertThat(badSector.exitCode()).isEqualTo(2);
        assertThat(badSector.stderr()).contains("--sector-size 1024");
    }

    @Test
    void aServedStubIsItsImage() {
        Path flatChain = dir.resolve("chain-expected.raw");
        Tools.check("qemu-img", "convert", "-O", "raw", chain.toString(), flatChain.toString());
        Path qcow2Stub = stub(qcow2, "served.vhdx");
        Path chainStub = stub(chain, "served-chain.vhdx");
        try (LunportProcess server = LunportProcess.builder("stubs").lun("disk", qcow2Stub).lun("chain", chainStub).start()) {
            assertThat(Tools.check("qemu-img", "compare", "-f", "raw", "-F", "raw", raw.toString(), server.url("disk")).stdout())
                    .contains("Images are identical");
            assertThat(Tools.check("qemu-img", "compare", "-f", "raw", "-F", "raw", flatChain.toString(),
                    server.url("chain")).stdout()).contains("Images are identical");
        }
    }

    @Test
    void inspectShowsThePointer() {
        Path stub = stub(qcow2, "inspected.vhdx");
        String text = lunport("inspect", stub.toString()).stdout();
        assertThat(text).contains("format:       vhdx-stub").contains("source: " + qcow2)
                .contains("source absolute path: " + qcow2.toAbsolutePath()).contains("source relative path: disk.qcow2")
                .contains("backing file: " + qcow2).contains("format:       qcow2");
        String json = lunport("inspect", "--json", stub.toString()).stdout();
        assertThat(json.replace(" ", "")).contains("\"format\":\"vhdx-stub\"").contains("\"source\":\"" + qcow2 + "\"")
                .contains("\"sourcerelativepath\":\"disk.qcow2\"") // "source relative path", spaces removed
                .contains("\"format\":\"qcow2\"");
    }

    @Test
    void aChangedSourceIsRefusedNamingBothFiles() throws IOException {
        Path image = dir.resolve("changing.qcow2");
        Files.copy(qcow2, image, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path stub = stub(image, "changing.vhdx");
        Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() + 3_000));
        Tools.Result inspect = lunport("inspect", stub.toString());
        assertThat(inspect.exitCode()).as(inspect.describe()).isEqualTo(2);
        assertThat(inspect.stderr()).contains(stub.toString()).contains(image.toString()).contains("changed");
        Tools.Result serve = lunport("serve", "--listen", "127.0.0.1:" + freePort(), "--state-dir",
                dir.resolve("state-changed").toString(), "--lun", "changed=" + stub);
        assertThat(serve.exitCode()).as(serve.describe()).isEqualTo(2);
        assertThat(serve.stderr()).contains(stub.toString()).contains(image.toString());
    }

    private static int freePort() {
        try {
            return LunportProcess.freePort("127.0.0.1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aSparseTwoTebibyteImageGetsASmallStubQuickly() {
        Path image = dir.resolve("large.qcow2");
        Tools.check("qemu-img", "create", "-f", "qcow2", image.toString(), "2T");
        Tools.check("qemu-io", "-f", "qcow2", "-c", "write -P 0x31 0 1M", "-c", "write -P 0x32 1T 4k",
                "-c", "write -P 0x33 2047G 1M", image.toString());
        long start = System.nanoTime();
        Written written = stubCommand(image, "large.vhdx");
        double seconds = (System.nanoTime() - start) / 1e9;
        Path stub = written.stub();
        System.out.println(written.summary());
        long du = Long.parseLong(Tools.check("du", "-B1", stub.toString()).stdout().split("\\s+")[0]);
        System.out.printf("lunport stub of a sparse 2 TiB qcow2: %.3f s including JVM start-up, du %d bytes%n", seconds, du);
        // Bounded is what the command itself took to open the image and write the stub (it
        // prints it last): a JVM starting on a busy machine can take seconds by itself.
        java.util.regex.Matcher took = java.util.regex.Pattern.compile(", (\\d+[.,]\\d+) s$").matcher(written.summary().strip());
        assertThat(took.find()).as(written.summary()).isTrue();
        assertThat(Double.parseDouble(took.group(1).replace(',', '.'))).as("seconds to open the image and write the stub").isLessThan(10);
        assertThat(du).isLessThan(64L * TestImages.MIB);
        assertThat(Tools.check("qemu-img", "check", "-f", "vhdx", stub.toString()).stdout()).contains("No errors were found");
        try (LunportProcess server = LunportProcess.builder("stubs-large").lun("large", stub).start()) {
            byte[] tail = Tools.check("qemu-io", "-f", "raw", "-c", "read -P 0x33 2047G 1M", server.url("large")).stdoutBytes();
            assertThat(new String(tail, java.nio.charset.StandardCharsets.UTF_8)).contains("read 1048576/1048576 bytes");
        }
    }
}
