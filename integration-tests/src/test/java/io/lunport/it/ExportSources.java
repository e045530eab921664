package io.lunport.it;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sources the export tests read: one seeded raw file with large holes, converted by
 * qemu-img into every format lunport reads, plus a chain. Each comes with the qemu format
 * name (for {@code qemu-img compare -F}) and the raw file holding its expected bytes.
 */
final class ExportSources {

    /**
     * Not a multiple of the 32 MiB VHDX block, and data in only some blocks: 3 MiB of data
     * every 40 MiB, so block 4 (128-160 MiB) and the tail block hold none.
     */
    static final long SIZE = 203L * TestImages.MIB;

    /** An image to export, its qemu format name, and the raw bytes it must come out as. */
    record Source(String name, Path image, String qemuFormat, Path expected) {
    }

    /**
     * Every source kind: raw, compressed qcow2, VMDK, VDI, VHD, VHDX, a qcow2-over-VMDK chain,
     * and the fixed-size layouts (flat VMDK, fixed VHD and VHDX), which qemu-img makes, as most
     * tools do, by truncating a file to size and writing only the data. Not a static VDI: qemu
     * puts its data 1536 bytes into the file, so a file page holding the first bytes of a data
     * run also holds 1536 zero bytes of the block before, which then counts as stored
     * (VdiReaderTest checks its extents against qemu's map and the bytes instead).
     */
    static final List<String> KINDS = List.of("raw", "qcow2-deflate", "vmdk", "vdi", "vhd", "vhdx", "chain",
            "vmdk-flat", "vhd-fixed", "vhdx-fixed");

    private static final Map<String, List<String>> CONVERT = Map.of(
            "qcow2-deflate", List.of("-O", "qcow2", "-c", "-o", "compression_type=zlib"),
            "vmdk", List.of("-O", "vmdk"),
            "vdi", List.of("-O", "vdi"),
            "vhd", List.of("-O", "vpc", "-o", "force_size=on"), // force_size: qemu keeps the raw size, no CHS rounding
            "vhdx", List.of("-O", "vhdx"),
            "vmdk-flat", List.of("-O", "vmdk", "-o", "subformat=monolithicFlat"),
            "vhd-fixed", List.of("-O", "vpc", "-o", "subformat=fixed,force_size=on"),
            "vhdx-fixed", List.of("-O", "vhdx", "-o", "subformat=fixed"));

    private final Path dir;
    private final Path raw;
    private final Map<String, Source> made = new LinkedHashMap<>();

    ExportSources(Path dir) {
        this.dir = dir;
        this.raw = TestImages.striped(dir.resolve("source.raw"), SIZE, 47, 40L * TestImages.MIB, 3 * TestImages.MIB);
    }

    Path raw() {
        return raw;
    }

    /** The source of that kind, made on first use. */
    synchronized Source get(String kind) {
        return made.computeIfAbsent(kind, this::make);
    }

    private Source make(String kind) {
        if (kind.equals("raw")) {
            return new Source(kind, raw, "raw", raw);
        }
        if (kind.equals("chain")) {
            // A qcow2 child written by qemu-io over a VMDK of the raw file: qemu's flattening is the oracle.
            Path base = dir.resolve("chain-base.vmdk");
            Path child = dir.resolve("chain-child.qcow2");
            Tools.check("qemu-img", "convert", "-f", "raw", "-O", "vmdk", raw.toString(), base.toString());
            Tools.check("qemu-img", "create", "-f", "qcow2", "-b", base.getFileName().toString(), "-F", "vmdk",
                    child.toString());
            // 130M: data in a block that the base leaves empty; 40M: zeros over base data; 100M: unaligned.
            Tools.check("qemu-io", "-f", "qcow2", "-c", "write -P 0x5a 130M 2M", "-c", "write -z 40M 1M",
                    "-c", "write -P 0xc3 100M 1536", child.toString());
            Path flattened = dir.resolve("chain-expected.raw");
            Tools.check("qemu-img", "convert", "-O", "raw", child.toString(), flattened.toString());
            return new Source(kind, child, "qcow2", flattened);
        }
        Path image = dir.resolve("source-" + kind + "." + CONVERT.get(kind).get(1));
        List<String> command = new ArrayList<>(List.of("qemu-img", "convert", "-f", "raw"));
        command.addAll(CONVERT.get(kind));
        command.addAll(List.of(raw.toString(), image.toString()));
        Tools.check(command.toArray(String[]::new));
        String qemuFormat = CONVERT.get(kind).get(1);
        return new Source(kind, image, qemuFormat, raw);
    }
}
