package io.lunport.it;

import java.nio.file.Path;
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
     * Every source kind: raw, a chain (a qcow2 child over a VMDK), and {@link QemuVariants} of
     * every format, among them the fixed-size layouts (flat VMDK, fixed VHD and VHDX), which
     * qemu-img makes, as most tools do, by truncating a file to size and writing only the data.
     * Not a static VDI: qemu puts its data 1536 bytes into the file, so a file page holding the
     * first bytes of a data run also holds 1536 zero bytes of the block before, which then
     * counts as stored (VdiReaderTest checks its extents against qemu's map and the bytes instead).
     */
    static final List<String> KINDS = List.of("raw", "qcow2-deflate", "vmdk-sparse", "vdi-dynamic", "vhd-dynamic",
            "vhdx-dynamic", "chain", "vmdk-flat", "vhd-fixed", "vhdx-fixed");

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
            // 130M: data in a block that the base leaves empty; 40M: zeros over base data; 100M: unaligned.
            QemuVariants.Chain chain = QemuVariants.chain(dir, raw, "write -P 0x5a 130M 2M", "write -z 40M 1M",
                    "write -P 0xc3 100M 1536");
            return new Source(kind, chain.child(), "qcow2", chain.flattened());
        }
        Path image = QemuVariants.convert(raw, kind, dir.resolve("source-" + kind + ".img"));
        return new Source(kind, image, QemuVariants.qemuFormat(kind), raw);
    }
}
