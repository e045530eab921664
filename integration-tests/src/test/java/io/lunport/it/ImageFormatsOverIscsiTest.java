package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every image format end to end: qemu-img converts one seeded raw file with holes into each
 * format and variant, one lunport serves them all, and {@code qemu-img compare} reads each
 * LUN over iSCSI against the raw file. The oracle is qemu, not our own readers.
 */
class ImageFormatsOverIscsiTest {

    /** Not a multiple of any cluster, grain or block size, so the tail is exercised. */
    private static final long SIZE = 40L * TestImages.MIB + 3 * 512;

    /** The chain LUN: a qcow2 child written by qemu-io over a VMDK base over... the raw file's bytes. */
    static final String CHAIN = "chain-qcow2-over-vmdk";

    static List<String> lunNames() {
        List<String> names = new java.util.ArrayList<>(QemuVariants.CONVERT.keySet());
        names.add(CHAIN);
        return names;
    }

    private static Path raw;
    private static final Map<String, Path> expected = new LinkedHashMap<>();
    private static LunportProcess server;

    @BeforeAll
    static void start() {
        Path dir = Itwork.dir("formats");
        raw = TestImages.holey(dir.resolve("source.raw"), SIZE, 31);
        LunportProcess.Builder builder = LunportProcess.builder("formats");
        for (String variant : QemuVariants.CONVERT.keySet()) {
            builder.lun(variant, QemuVariants.convert(raw, variant, dir.resolve(variant + ".img")));
            expected.put(variant, raw);
        }
        // A chain of two formats, the child written by qemu: qemu's own flattening is the oracle.
        QemuVariants.Chain chain = QemuVariants.chain(dir, raw, "write -P 0x5a 3M 2M", "write -z 9M 1M",
                "write -P 0xc3 40M 1024");
        builder.lun(CHAIN, chain.child());
        expected.put(CHAIN, chain.flattened());
        server = builder.start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @ParameterizedTest
    @MethodSource("lunNames")
    void servedLunEqualsTheRawFile(String lun) {
        String out = Tools.check("qemu-img", "compare", "-f", "raw", "-F", "raw", expected.get(lun).toString(), server.url(lun)).stdout();
        assertThat(out).contains("Images are identical");
    }
}
