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

    /** LUN name → qemu-img convert options that make the image. */
    static Map<String, List<String>> variants() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put("qcow2", List.of("-O", "qcow2"));
        v.put("qcow2-v2", List.of("-O", "qcow2", "-o", "compat=0.10"));
        v.put("qcow2-deflate", List.of("-O", "qcow2", "-c"));
        v.put("qcow2-zstd", List.of("-O", "qcow2", "-c", "-o", "compression_type=zstd"));
        v.put("qcow2-extl2", List.of("-O", "qcow2", "-o", "extended_l2=on,cluster_size=128k"));
        v.put("vmdk-sparse", List.of("-O", "vmdk", "-o", "subformat=monolithicSparse"));
        v.put("vmdk-stream", List.of("-O", "vmdk", "-o", "subformat=streamOptimized"));
        v.put("vmdk-flat", List.of("-O", "vmdk", "-o", "subformat=monolithicFlat"));
        v.put("vmdk-split", List.of("-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse"));
        v.put("vdi-dynamic", List.of("-O", "vdi"));
        v.put("vdi-static", List.of("-O", "vdi", "-o", "static=on"));
        v.put("vhd-dynamic", List.of("-O", "vpc", "-o", "subformat=dynamic,force_size=on"));
        v.put("vhd-fixed", List.of("-O", "vpc", "-o", "subformat=fixed,force_size=on"));
        v.put("vhdx-dynamic", List.of("-O", "vhdx"));
        v.put("vhdx-1m-blocks", List.of("-O", "vhdx", "-o", "block_size=1M"));
        v.put("vhdx-fixed", List.of("-O", "vhdx", "-o", "subformat=fixed"));
        return v;
    }

    /** The chain LUN: a qcow2 child written by qemu-io over a VMDK base over... the raw file's bytes. */
    static final String CHAIN = "chain-qcow2-over-vmdk";

    static List<String> lunNames() {
        List<String> names = new java.util.ArrayList<>(variants().keySet());
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
        for (Map.Entry<String, List<String>> e : variants().entrySet()) {
            Path image = dir.resolve(e.getKey() + ".img");
            List<String> command = new java.util.ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
            command.addAll(e.getValue());
            command.add(raw.toString());
            command.add(image.toString());
            Tools.check(command.toArray(String[]::new));
            builder.lun(e.getKey(), image);
            expected.put(e.getKey(), raw);
        }
        // A chain of two formats, the child written by qemu: qemu's own flattening is the oracle.
        Path base = dir.resolve("chain-base.vmdk");
        Path child = dir.resolve("chain-child.qcow2");
        Tools.check("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), base.toString());
        Tools.check("qemu-img", "create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "vmdk", child.toString());
        Tools.check("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 3M 2M", "-c", "write -z 9M 1M", "-c", "write -P 0xc3 40M 1024",
                child.toString());
        Path flattened = dir.resolve("chain-expected.raw");
        Tools.check("qemu-img", "convert", "-O", "raw", child.toString(), flattened.toString());
        builder.lun(CHAIN, child);
        expected.put(CHAIN, flattened);
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
