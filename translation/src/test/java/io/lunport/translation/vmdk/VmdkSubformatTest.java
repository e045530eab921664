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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every VMDK subformat qemu-img writes, read byte for byte against the raw file it came from. */
class VmdkSubformatTest {

    /** 64 MiB plus an odd tail: not a multiple of the 64 KiB grain. */
    static final long SIZE = 64L * 1024 * 1024 + 3 * 65536 + 1536;

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void makeRaw() throws Exception {
        raw = writeRaw(dir.resolve("disk.raw"), SIZE, 42);
    }

    @ParameterizedTest
    @ValueSource(strings = {"monolithicSparse", "streamOptimized", "monolithicFlat", "twoGbMaxExtentSparse",
            "twoGbMaxExtentFlat"})
    void readsWhatQemuWrote(String subformat) throws Exception {
        Path image = dir.resolve(subformat + ".vmdk");
        run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), image.toString());
        try (BlockSource source = QemuImages.open(image)) {
            assertThat(source.formatName()).isEqualTo("vmdk");
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("createType", subformat);
            assertThat(info.compression()).isEqualTo(subformat.equals("streamOptimized") ? "deflate" : null);
            assertThat(info.clusterSize()).isEqualTo(subformat.contains("Flat") ? 0 : 65536);
            assertSameBytes(source, raw);
            assertConcurrentReads(source, raw, 8, 60);
            assertExtentsAgree(source, image, raw);
        }
    }

    @Test
    void zeroedGrainsReadAsZeros() throws Exception {
        Path image = dir.resolve("zeroed.vmdk");
        run("qemu-img", "convert", "-O", "vmdk", "-o", "zeroed_grain=on", raw.toString(), image.toString());
        // Zero a range in place: with zeroed grains enabled, qemu writes GTE 1 instead of data.
        run("qemu-io", "-f", "vmdk", "-c", "write -z 1M 4M", image.toString());
        Path expected = dir.resolve("zeroed.raw");
        run("qemu-img", "convert", "-O", "raw", image.toString(), expected.toString());
        try (BlockSource source = QemuImages.open(image)) {
            assertSameBytes(source, expected);
            assertExtentsAgree(source, image, expected);
            assertThat(source.extents(1 << 20, 4 << 20)).allMatch(e -> e.kind() == io.lunport.translation.Extent.Kind.ZERO);
        }
    }

    /**
     * A stream as VMware writes it: header gdOffset = GD_AT_END, the real header in a footer
     * before the end-of-stream marker. Made from qemu's streamOptimized output, checked
     * against qemu reading the same file.
     */
    @Test
    void streamWithFooter() throws Exception {
        Path stream = dir.resolve("footer-src.vmdk");
        run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=streamOptimized", raw.toString(), stream.toString());
        byte[] bytes = Files.readAllBytes(stream);
        byte[] eos = Arrays.copyOfRange(bytes, bytes.length - 512, bytes.length);
        assertThat(eos).containsOnly(0);
        byte[] body = Arrays.copyOf(bytes, bytes.length - 512);
        byte[] footerHeader = Arrays.copyOf(bytes, 512);
        ByteBuffer.wrap(body).order(ByteOrder.LITTLE_ENDIAN).putLong(56, SparseHeader.GD_AT_END);
        ByteBuffer marker = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1).putInt(8, 0).putInt(12, 3);
        Path image = dir.resolve("footer.vmdk");
        try (var out = Files.newOutputStream(image)) {
            out.write(body);
            out.write(marker.array());
            out.write(footerHeader);
            out.write(new byte[512]);
        }
        Path qemuRaw = dir.resolve("footer.raw");
        run("qemu-img", "convert", "-O", "raw", image.toString(), qemuRaw.toString());
        assertThat(Files.mismatch(qemuRaw, raw)).isEqualTo(-1);
        try (BlockSource source = QemuImages.open(image)) {
            assertSameBytes(source, raw);
            assertExtentsAgree(source, image, raw);
        }
    }
}
