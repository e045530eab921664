package io.lunport.translation.vmdk;

import static io.lunport.translation.blockmap.QemuImages.open;
import static io.lunport.translation.blockmap.QemuImages.patch;
import static io.lunport.translation.blockmap.QemuImages.readAll;
import static io.lunport.translation.blockmap.QemuImages.run;
import static io.lunport.translation.blockmap.QemuImages.writeRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import io.lunport.translation.blockmap.Corruption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken VMDK images give typed errors that name file, offset and field; never garbage or a hang. */
class VmdkBadImageTest {

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void makeRaw() throws Exception {
        raw = writeRaw(dir.resolve("small.raw"), 4L * 1024 * 1024 + 1536, 46);
    }

    static Path convert(String name, String subformat) throws Exception {
        Path image = dir.resolve(name);
        run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), image.toString());
        return image;
    }

    /** The file offset of the first non-zero grain table entry and its value. */
    static long[] firstGrainEntry(Path image) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(image)).order(ByteOrder.LITTLE_ENDIAN);
        long gt = Integer.toUnsignedLong(b.getInt((int) b.getLong(56) * 512)) * 512;
        for (int i = 0; i < 512; i++) {
            int entry = b.getInt((int) gt + 4 * i);
            if (entry > 1) {
                return new long[] {gt + 4 * i, entry};
            }
        }
        throw new AssertionError("no allocated grain");
    }

    @Test
    void capacityOf2To63() throws Exception {
        Path image = convert("huge.vmdk", "monolithicSparse");
        patch(image, 12, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 63));
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("huge.vmdk").hasMessageContaining("offset 12").hasMessageContaining("capacity");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path image = convert("short.vmdk", "monolithicSparse");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.truncate(300);
        }
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("short.vmdk").hasMessageContaining("header");
    }

    @Test
    void truncatedGrains() throws Exception {
        Path image = convert("cut.vmdk", "monolithicSparse");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() / 2 + 1000);
        }
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size()))
                    .isInstanceOfAny(ImageFormatException.class, MediumException.class)
                    .hasMessageContaining("cut.vmdk");
        }
    }

    @Test
    void grainEntryPastEndOfFile() throws Exception {
        Path image = convert("far.vmdk", "monolithicSparse");
        long[] entry = firstGrainEntry(image);
        patch(image, entry[0], ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7fffff00));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("far.vmdk").hasMessageContaining("offset " + entry[0])
                    .hasMessageContaining("grain table entry");
        }
    }

    @Test
    void compressedGrainThatDoesNotInflate() throws Exception {
        Path image = convert("bad-deflate.vmdk", "streamOptimized");
        long[] entry = firstGrainEntry(image);
        long grain = entry[1] * 512;
        patch(image, grain + 12 + 2, ByteBuffer.wrap(new byte[] {(byte) 0xff, (byte) 0xff, 0x12, 0x34, (byte) 0xff}));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(MediumException.class)
                    .hasMessageContaining("bad-deflate.vmdk").hasMessageContaining("at " + grain);
        }
    }

    @Test
    void grainMarkerWithAHugeSize() throws Exception {
        Path image = convert("bad-marker.vmdk", "streamOptimized");
        long[] entry = firstGrainEntry(image);
        patch(image, entry[1] * 512 + 8, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x7fffffff));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(MediumException.class)
                    .hasMessageContaining("bad-marker.vmdk").hasMessageContaining("marker");
        }
    }

    @Test
    void missingParent() throws Exception {
        Path base = convert("gone-base.vmdk", "monolithicSparse");
        Path child = dir.resolve("orphan.vmdk");
        run("qemu-img", "create", "-f", "vmdk", "-b", "gone-base.vmdk", "-F", "vmdk", child.toString());
        Files.delete(base);
        assertThatThrownBy(() -> open(child)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("orphan.vmdk").hasMessageContaining("backing file")
                .hasMessageContaining("gone-base.vmdk");
    }

    @Test
    void parentIsItself() throws Exception {
        convert("loop-base.vmdk", "monolithicSparse");
        Path child = dir.resolve("loop-self.vmdk");
        run("qemu-img", "create", "-f", "vmdk", "-b", "loop-base.vmdk", "-F", "vmdk", child.toString());
        byte[] bytes = Files.readAllBytes(child);
        String text = new String(bytes, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("parentFileNameHint=\"loop-base.vmdk\"");
        assertThat(at).isPositive();
        patch(child, at, ByteBuffer.wrap("parentFileNameHint=\"loop-self.vmdk\"".getBytes(StandardCharsets.ISO_8859_1)));
        assertThatThrownBy(() -> open(child)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("loop-self.vmdk").hasMessageContaining("loops");
    }

    @Test
    void missingExtentFile() throws Exception {
        Path image = convert("noextent.vmdk", "monolithicFlat");
        Files.delete(dir.resolve("noextent-flat.vmdk"));
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("noextent.vmdk").hasMessageContaining("extent file")
                .hasMessageContaining("noextent-flat.vmdk");
    }

    @Test
    void flatExtentShorterThanTheDescriptorSays() throws Exception {
        Path image = convert("shortflat.vmdk", "monolithicFlat");
        try (FileChannel ch = FileChannel.open(dir.resolve("shortflat-flat.vmdk"), StandardOpenOption.WRITE)) {
            ch.truncate(ch.size() - 4096);
        }
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("shortflat.vmdk").hasMessageContaining("extent size");
    }

    @Test
    void seededCorruptionOfSparseMetadata() throws Exception {
        Path image = convert("corrupt-src.vmdk", "monolithicSparse");
        int typed = Corruption.run(image, dir.resolve("corrupt.vmdk"), 64 * 1024, 150, 47);
        assertThat(typed).isPositive();
    }

    @Test
    void seededCorruptionOfAStream() throws Exception {
        Path image = convert("corrupt-stream-src.vmdk", "streamOptimized");
        // The header, descriptor and the first compressed grains.
        int typed = Corruption.run(image, dir.resolve("corrupt-stream.vmdk"), 128 * 1024, 150, 48);
        assertThat(typed).isPositive();
    }
}
