package io.lunport.translation.vhdx.synth;

import static io.lunport.translation.blockmap.ImageTests.run;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every source format and chain the readers support, made by qemu-img from one raw file:
 * the same variants as the reader tests and the iSCSI format test, plus a three-layer chain.
 */
public final class SourceImages {

    /** An image and the format name qemu knows it by. */
    public record Image(String name, Path path, String format) {
        @Override
        public String toString() {
            return name;
        }
    }

    private SourceImages() {
    }

    /** Name → qemu-img convert options. */
    static Map<String, List<String>> variants() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put("raw", List.of("-O", "raw"));
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
        v.put("vpc-dynamic", List.of("-O", "vpc", "-o", "subformat=dynamic,force_size=on"));
        v.put("vpc-fixed", List.of("-O", "vpc", "-o", "subformat=fixed,force_size=on"));
        v.put("vhdx-dynamic", List.of("-O", "vhdx"));
        v.put("vhdx-1m-blocks", List.of("-O", "vhdx", "-o", "block_size=1M"));
        v.put("vhdx-fixed", List.of("-O", "vhdx", "-o", "subformat=fixed"));
        return v;
    }

    /** Converts {@code raw} into every variant in {@code dir}, and builds the chain. */
    public static List<Image> build(Path dir, Path raw) throws Exception {
        List<Image> images = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : variants().entrySet()) {
            Path image = dir.resolve(e.getKey() + ".img");
            List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
            command.addAll(e.getValue());
            command.add(raw.toString());
            command.add(image.toString());
            run(command.toArray(String[]::new));
            images.add(new Image(e.getKey(), image, e.getValue().get(1)));
        }
        images.add(chain(dir, raw));
        return images;
    }

    /** qcow2 over qcow2 over VMDK, the children written by qemu-io (data, zeros over data, the tail). */
    private static Image chain(Path dir, Path raw) throws Exception {
        Path base = dir.resolve("chain-base.vmdk");
        Path mid = dir.resolve("chain-mid.qcow2");
        Path top = dir.resolve("chain-top.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), base.toString());
        run("qemu-img", "create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "vmdk", mid.toString());
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 20M 2M", "-c", "write -z 0 1M", mid.toString());
        run("qemu-img", "create", "-f", "qcow2", "-o", "cluster_size=4k", "-b", mid.getFileName().toString(), "-F", "qcow2",
                top.toString());
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0xc3 40M 1024", "-c", "write -P 0x11 36M 4096", top.toString());
        return new Image("chain-qcow2-qcow2-vmdk", top, "qcow2");
    }
}
