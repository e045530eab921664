package io.lunport.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The images end-to-end tests have qemu-img make from a raw file, so that qemu, not our
 * writer, decides every byte of them: one table of format variants, and one recipe for a
 * backing chain whose child qemu-io writes.
 */
final class QemuVariants {

    /** Variant name → the {@code qemu-img convert} options that make it (the second is the qemu format). */
    static final Map<String, List<String>> CONVERT = table();

    private QemuVariants() {
    }

    private static Map<String, List<String>> table() {
        Map<String, List<String>> v = new LinkedHashMap<>();
        v.put("qcow2", List.of("-O", "qcow2"));
        v.put("qcow2-v2", List.of("-O", "qcow2", "-o", "compat=0.10"));
        v.put("qcow2-deflate", List.of("-O", "qcow2", "-c", "-o", "compression_type=zlib"));
        v.put("qcow2-zstd", List.of("-O", "qcow2", "-c", "-o", "compression_type=zstd"));
        v.put("qcow2-extl2", List.of("-O", "qcow2", "-o", "extended_l2=on,cluster_size=128k"));
        v.put("vmdk-sparse", List.of("-O", "vmdk", "-o", "subformat=monolithicSparse"));
        v.put("vmdk-stream", List.of("-O", "vmdk", "-o", "subformat=streamOptimized"));
        v.put("vmdk-flat", List.of("-O", "vmdk", "-o", "subformat=monolithicFlat"));
        v.put("vmdk-split", List.of("-O", "vmdk", "-o", "subformat=twoGbMaxExtentSparse"));
        v.put("vdi-dynamic", List.of("-O", "vdi"));
        v.put("vdi-static", List.of("-O", "vdi", "-o", "static=on"));
        // force_size: qemu keeps the raw size, no CHS rounding
        v.put("vhd-dynamic", List.of("-O", "vpc", "-o", "subformat=dynamic,force_size=on"));
        v.put("vhd-fixed", List.of("-O", "vpc", "-o", "subformat=fixed,force_size=on"));
        v.put("vhdx-dynamic", List.of("-O", "vhdx"));
        v.put("vhdx-1m-blocks", List.of("-O", "vhdx", "-o", "block_size=1M"));
        v.put("vhdx-fixed", List.of("-O", "vhdx", "-o", "subformat=fixed"));
        return v;
    }

    /** qemu's name of the variant's format, for {@code -f} and {@code -F}. */
    static String qemuFormat(String variant) {
        return CONVERT.get(variant).get(1);
    }

    /** Converts {@code raw} into {@code image} as the variant. */
    static Path convert(Path raw, String variant, Path image) {
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
        command.addAll(CONVERT.get(variant));
        command.addAll(List.of(raw.toString(), image.toString()));
        Tools.check(command.toArray(String[]::new));
        return image;
    }

    /** A qcow2 child over a VMDK base, and the disk it reads as, which qemu flattened. */
    record Chain(Path child, Path flattened) {
    }

    /**
     * A VMDK of {@code raw} in {@code dir}, a qcow2 child over it that qemu-io writes with
     * {@code qemuIoCommands}, and qemu's flattening of the two as the expected bytes.
     */
    static Chain chain(Path dir, Path raw, String... qemuIoCommands) {
        Path base = dir.resolve("chain-base.vmdk");
        Path child = dir.resolve("chain-child.qcow2");
        Tools.check("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), base.toString());
        Tools.check("qemu-img", "create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "vmdk",
                child.toString());
        List<String> write = new ArrayList<>(List.of("qemu-io", "-f", "qcow2"));
        for (String c : qemuIoCommands) {
            write.add("-c");
            write.add(c);
        }
        write.add(child.toString());
        Tools.check(write.toArray(String[]::new));
        Path flattened = dir.resolve("chain-expected.raw");
        Tools.check("qemu-img", "convert", "-O", "raw", child.toString(), flattened.toString());
        return new Chain(child, flattened);
    }
}
