package io.lunport.translation.qcow2;

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
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Broken qcow2 images, made by qemu-img and patched here, give typed errors that name file,
 * offset and field: an {@link ImageFormatException} at open, or a {@link MediumException} on
 * the read that hits the damage; never garbage, a hang or an allocation of a claimed size.
 */
class Qcow2BadImageTest {

    private static final long OFLAG_COPIED = 1L << 63;
    private static final long OFLAG_COMPRESSED = 1L << 62;
    private static final long OFFSET_MASK = 0x00fffffffffffe00L;
    /** 32 KiB clusters: header, refcount table and block, L1 and L2 all lie in the first 256 KiB. */
    private static final int CLUSTER = 32 * 1024;

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void makeRaw() throws Exception {
        Qemu.assumeInstalled();
        raw = writeRaw(dir.resolve("small.raw"), 6L * 1024 * 1024 + 1536, 61);
    }

    /** qemu-img convert of the raw file, with extra options such as "-c" or "-o", "compression_type=zstd". */
    static Path convert(String name, String... options) throws Exception {
        Path image = dir.resolve(name);
        String[] cmd = new String[6 + options.length + 2];
        int i = 0;
        for (String s : new String[] {"qemu-img", "convert", "-O", "qcow2", "-o", "cluster_size=" + CLUSTER}) {
            cmd[i++] = s;
        }
        for (String o : options) {
            cmd[i++] = o;
        }
        cmd[i++] = raw.toString();
        cmd[i] = image.toString();
        run(cmd);
        return image;
    }

    static long getLong(Path image, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        try (FileChannel ch = FileChannel.open(image)) {
            ch.read(b, at);
        }
        return b.getLong(0);
    }

    static int getInt(Path image, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(4);
        try (FileChannel ch = FileChannel.open(image)) {
            ch.read(b, at);
        }
        return b.getInt(0);
    }

    static void putLong(Path image, long at, long value) throws IOException {
        patch(image, at, ByteBuffer.allocate(8).putLong(0, value));
    }

    static long l1Offset(Path image) throws IOException {
        return getLong(image, 40);
    }

    static long l2Offset(Path image) throws IOException {
        long l2 = getLong(image, l1Offset(image)) & OFFSET_MASK;
        assertThat(l2).as("L1 entry 0 is allocated").isPositive();
        return l2;
    }

    /** The file offset of the first L2 entry that is allocated (and compressed, or not), and the entry. */
    static long[] firstEntry(Path image, boolean compressed) throws IOException {
        long l2 = l2Offset(image);
        for (int i = 0; i < CLUSTER / 8; i++) {
            long e = getLong(image, l2 + 8L * i);
            boolean isCompressed = (e & OFLAG_COMPRESSED) != 0;
            if (isCompressed == compressed && (compressed || (e & OFFSET_MASK) != 0)) {
                return new long[] {l2 + 8L * i, e};
            }
        }
        throw new AssertionError("no " + (compressed ? "compressed" : "allocated") + " cluster in " + image);
    }

    static void truncate(Path image, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            assertThat(ch.size()).isGreaterThan(length);
            ch.truncate(length);
        }
    }

    /** Opening works; reading every byte fails with a MediumException whose message names file, offset and field. */
    static void assertReadFails(Path image, long offset, String field) throws IOException {
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(MediumException.class)
                    .hasMessageContaining(image.getFileName().toString())
                    .hasMessageContaining("offset " + offset + ",")
                    .hasMessageContaining(field)
                    .hasCauseInstanceOf(ImageFormatException.class);
        }
    }

    @Test
    void truncatedInTheL1Table() throws Exception {
        Path image = convert("cut-l1.qcow2");
        truncate(image, l1Offset(image) + 4);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("cut-l1.qcow2").hasMessageContaining("offset 40")
                .hasMessageContaining("l1_table_offset").hasMessageContaining("end of the file");
    }

    @Test
    void truncatedInAnL2Table() throws Exception {
        Path image = convert("cut-l2.qcow2");
        long l2 = l2Offset(image);
        assertThat(l2).as("qemu puts the L2 table after the L1 table").isGreaterThan(l1Offset(image));
        truncate(image, l2 + CLUSTER / 2);
        assertReadFails(image, l1Offset(image), "L1 entry 0");
    }

    @Test
    void truncatedInTheData() throws Exception {
        Path image = convert("cut-data.qcow2");
        long[] entry = firstEntry(image, false);
        long cluster = entry[1] & OFFSET_MASK;
        truncate(image, cluster + CLUSTER / 2);
        // The read ends either in the half cluster (the data cluster at the cut) or at the next
        // cluster wholly past the end (its L2 entry): both name file, offset and field.
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(MediumException.class)
                    .hasMessageContaining("cut-data.qcow2")
                    .hasMessageMatching("(?s).*at offset \\d+, (data cluster|L2 entry).*")
                    .hasCauseInstanceOf(ImageFormatException.class);
        }
    }

    @Test
    void l1EntryPastTheEndOfFile() throws Exception {
        Path image = convert("far-l1.qcow2");
        long at = l1Offset(image);
        putLong(image, at, OFLAG_COPIED | (1L << 40));
        assertReadFails(image, at, "L1 entry 0");
    }

    @Test
    void l2EntryPastTheEndOfFile() throws Exception {
        Path image = convert("far-l2.qcow2");
        long[] entry = firstEntry(image, false);
        putLong(image, entry[0], OFLAG_COPIED | (1L << 40));
        assertReadFails(image, entry[0], "L2 entry");
    }

    @Test
    void virtualSizeOf2To63() throws Exception {
        Path image = convert("huge.qcow2");
        putLong(image, 24, 1L << 63);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("huge.qcow2").hasMessageContaining("offset 24").hasMessageContaining("size");
    }

    @Test
    void virtualSizeLargerThanTheL1TableMaps() throws Exception {
        Path image = convert("toobig.qcow2");
        // One L2 table of 32 KiB clusters maps 128 MiB; the image's L1 table has one entry.
        assertThat(getInt(image, 36)).isEqualTo(1);
        putLong(image, 24, 1L << 40);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("toobig.qcow2").hasMessageContaining("offset 36").hasMessageContaining("l1_size")
                .hasMessageContaining("virtual size");
    }

    @Test
    void l1SizeOf2To31Minus1IsRefusedWithoutAllocatingIt() throws Exception {
        Path image = convert("wide.qcow2");
        patch(image, 36, ByteBuffer.allocate(4).putInt(0, Integer.MAX_VALUE));
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("wide.qcow2").hasMessageContaining("offset 36").hasMessageContaining("l1_size");
    }

    @ParameterizedTest
    @ValueSource(strings = {"zlib", "zstd"})
    void compressedClusterThatDoesNotInflate(String compression) throws Exception {
        Path image = convert("bad-" + compression + ".qcow2", "-c", "-o", "compression_type=" + compression);
        long[] entry = firstEntry(image, true);
        int clusterBits = getInt(image, 20);
        long coffset = entry[1] & ((1L << (62 - (clusterBits - 8))) - 1);
        // 0xff..: a raw deflate block of the reserved type 3, and no zstd frame magic.
        byte[] garbage = new byte[64];
        java.util.Arrays.fill(garbage, (byte) 0xff);
        patch(image, coffset, ByteBuffer.wrap(garbage));
        assertReadFails(image, coffset, "compressed cluster");
    }

    @Test
    void missingBackingFile() throws Exception {
        Path base = convert("gone-base.qcow2");
        Path top = dir.resolve("orphan.qcow2");
        run("qemu-img", "create", "-f", "qcow2", "-b", "gone-base.qcow2", "-F", "qcow2", top.toString());
        Files.delete(base);
        assertThatThrownBy(() -> open(top)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("orphan.qcow2").hasMessageContaining("offset ")
                .hasMessageContaining("backing file").hasMessageContaining("gone-base.qcow2");
    }

    @Test
    void backingFileThatIsItself() throws Exception {
        Path self = dir.resolve("self.qcow2");
        // -u: qemu-img itself would refuse to open the chain.
        run("qemu-img", "create", "-f", "qcow2", "-u", "-b", "self.qcow2", "-F", "qcow2", self.toString(), "1M");
        assertThatThrownBy(() -> open(self)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("self.qcow2").hasMessageContaining("offset ")
                .hasMessageContaining("backing file").hasMessageContaining("loops");
    }

    @Test
    void backingFileNameOffsetThatOverflows() throws Exception {
        convert("ovf-base.qcow2");
        Path top = dir.resolve("ovf.qcow2");
        run("qemu-img", "create", "-f", "qcow2", "-b", "ovf-base.qcow2", "-F", "qcow2", top.toString());
        putLong(top, 8, Long.MAX_VALUE - 4);
        assertThatThrownBy(() -> open(top)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("ovf.qcow2").hasMessageContaining("offset 8").hasMessageContaining("backing_file_offset");
    }

    @Test
    void seededCorruptionOfAPlainImage() throws Exception {
        Path image = convert("corrupt-plain-src.qcow2");
        assertThat(l2Offset(image)).isLessThan(256 * 1024);
        int typed = Corruption.run(image, dir.resolve("corrupt-plain.qcow2"), 256 * 1024, 300, 62);
        assertThat(typed).isPositive();
    }

    @Test
    void seededCorruptionOfADeflateCompressedImage() throws Exception {
        Path image = convert("corrupt-deflate-src.qcow2", "-c");
        assertThat(l2Offset(image)).isLessThan(256 * 1024);
        int typed = Corruption.run(image, dir.resolve("corrupt-deflate.qcow2"), 256 * 1024, 300, 63);
        assertThat(typed).isPositive();
    }
}
