package io.lunport.translation.vmdk;

import static io.lunport.translation.blockmap.QemuImages.assertConcurrentReads;
import static io.lunport.translation.blockmap.QemuImages.assertExtentsAgree;
import static io.lunport.translation.blockmap.QemuImages.assertSameBytes;
import static io.lunport.translation.blockmap.QemuImages.run;
import static io.lunport.translation.blockmap.QemuImages.writeRaw;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.blockmap.QemuImages;
import io.lunport.translation.SourceInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Delta disks: qemu-img create -b, writes through qemu-io, compared with qemu's flattened view. */
class VmdkChainTest {

    static final long SIZE = 32L * 1024 * 1024 + 5 * 4096;

    @TempDir
    static Path dir;
    static Path base;

    @BeforeAll
    static void makeBase() throws Exception {
        Path raw = writeRaw(dir.resolve("base.raw"), SIZE, 44);
        base = dir.resolve("base.vmdk");
        run("qemu-img", "convert", "-O", "vmdk", raw.toString(), base.toString());
    }

    @ParameterizedTest
    @CsvSource({
            "monolithicSparse, off, ''",
            "monolithicSparse, on, ''",
            "twoGbMaxExtentSparse, off, ''",
            "monolithicSparse, off, 48M"})
    void deltaReadsThroughItsParent(String subformat, String zeroedGrain, String size) throws Exception {
        String name = "child-" + subformat + "-" + zeroedGrain + "-" + (size.isEmpty() ? "same" : size);
        Path child = dir.resolve(name + ".vmdk");
        if (size.isEmpty()) {
            run("qemu-img", "create", "-f", "vmdk", "-o", "subformat=" + subformat + ",zeroed_grain=" + zeroedGrain,
                    "-b", "base.vmdk", "-F", "vmdk", child.toString());
        } else {
            run("qemu-img", "create", "-f", "vmdk", "-o", "subformat=" + subformat + ",zeroed_grain=" + zeroedGrain,
                    "-b", "base.vmdk", "-F", "vmdk", child.toString(), size);
        }
        run("qemu-io", "-f", "vmdk",
                "-c", "write -P 0xab 100k 300k",
                "-c", "write -P 0xcd 20M 1M",
                "-c", "write -z 4M 3M",
                "-c", "write -P 0x11 " + (SIZE - 4096) + " 4096",
                child.toString());
        if (!size.isEmpty()) {
            run("qemu-io", "-f", "vmdk", "-c", "write -P 0x77 40M 64k", child.toString());
        }
        Path flat = dir.resolve(name + ".raw");
        run("qemu-img", "convert", "-O", "raw", child.toString(), flat.toString());
        try (BlockSource source = QemuImages.open(child)) {
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("parent", "base.vmdk");
            assertThat(info.backing()).isNotNull();
            assertThat(info.backing().file().getFileName().toString()).isEqualTo("base.vmdk");
            assertSameBytes(source, flat);
            assertConcurrentReads(source, flat, 6, 40);
            assertExtentsAgree(source, child, flat);
        }
    }
}
