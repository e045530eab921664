package io.lunport.translation.vhd;

import static io.lunport.translation.blockmap.ImageTests.assertExtentsAgree;
import static io.lunport.translation.blockmap.ImageTests.dataBytes;
import static io.lunport.translation.blockmap.ImageTests.assertSameBytes;
import static io.lunport.translation.blockmap.ImageTests.qemuMap;
import static io.lunport.translation.blockmap.ImageTests.qemuRaw;
import static io.lunport.translation.blockmap.ImageTests.run;
import static io.lunport.translation.blockmap.ImageTests.seededRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.MediumException;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VhdReaderTest {

    private static final long SIZE = 40L * 1024 * 1024 + 12345;

    @TempDir
    Path dir;

    private static BlockSource open(Path image) throws IOException {
        return new ImageOpener(TranslationContext.defaults()).open(image);
    }

    private Path convert(Path raw, String name, String options) throws Exception {
        Path image = dir.resolve(name);
        run("qemu-img", "convert", "-f", "raw", "-O", "vpc", "-o", options, raw.toString(), image.toString());
        return image;
    }

    @Test
    void dynamicWithForcedSizeReadsLikeTheRawFile() throws Exception {
        Path raw = seededRaw(dir.resolve("a.raw"), SIZE, 1);
        Path image = convert(raw, "a.vhd", "subformat=dynamic,force_size=on");
        try (BlockSource source = open(image)) {
            assertThat(source.formatName()).isEqualTo("vpc");
            assertThat(source.size()).isEqualTo((SIZE + 511) / 512 * 512);
            assertSameBytes(source, raw);
            var map = qemuMap(image, "vpc");
            assertExtentsAgree(source, map, raw);
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("subformat", "dynamic").containsEntry("creator", "qem2");
            assertThat(info.clusterSize()).isEqualTo(2 * 1024 * 1024);
            // Fewer than qemu maps: the sectors qemu never wrote inside allocated blocks are holes in the file.
            assertThat(info.allocatedBytes()).isEqualTo(dataBytes(source))
                    .isLessThanOrEqualTo(map.stream().filter(e -> e.data()).mapToLong(e -> e.length()).sum());
            assertThat(run("vhdiinfo", image.toString())).contains("Dynamic").contains("(" + source.size() + " bytes)")
                    .contains("Identifier\t\t: " + info.details().get("unique id"));
        }
    }

    @Test
    void dynamicWithChsGeometrySizeMatchesQemu() throws Exception {
        Path raw = seededRaw(dir.resolve("b.raw"), SIZE, 2);
        Path image = convert(raw, "b.vhd", "subformat=dynamic");
        Path qemu = qemuRaw(image, "vpc");
        try (BlockSource source = open(image)) {
            assertThat(source.size()).isEqualTo(Files.size(qemu)).isNotEqualTo((SIZE + 511) / 512 * 512);
            assertSameBytes(source, qemu);
        }
    }

    @Test
    void fixedReadsLikeQemu() throws Exception {
        Path raw = seededRaw(dir.resolve("c.raw"), SIZE, 3);
        for (String options : new String[] {"subformat=fixed,force_size=on", "subformat=fixed"}) {
            Path image = convert(raw, "c-" + options.length() + ".vhd", options);
            Path qemu = qemuRaw(image, "vpc");
            try (BlockSource source = open(image)) {
                assertThat(source.size()).isEqualTo(Files.size(qemu));
                assertThat(source.describe().details()).containsEntry("subformat", "fixed");
                assertSameBytes(source, qemu);
                // qemu made the file by truncating it and writing only the non-zero data: its holes are zeros
                assertExtentsAgree(source, qemuMap(image, "vpc"), raw);
                assertThat(source.extents(0, source.size())).anyMatch(e -> e.kind() == Extent.Kind.ZERO);
                assertThat(source.describe().allocatedBytes()).isEqualTo(dataBytes(source)).isLessThan(source.size());
            }
        }
    }

    @Test
    void fixedWithA511ByteFooterIsRecognized() throws Exception {
        Path raw = seededRaw(dir.resolve("d.raw"), 3L * 1024 * 1024, 4);
        Path image = convert(raw, "d.vhd", "subformat=fixed,force_size=on");
        try (RandomAccessFile f = new RandomAccessFile(image.toFile(), "rw")) {
            f.setLength(f.length() - 1); // the last reserved byte, always zero
        }
        try (BlockSource source = open(image)) {
            assertThat(source.formatName()).isEqualTo("vpc");
            assertSameBytes(source, raw);
        }
    }

    @Test
    void differencingReadsItsSectorsAndTheParentsOthers() throws Exception {
        long size = 9L * 1024 * 1024 + 512 * 7;
        Path raw = seededRaw(dir.resolve("p.raw"), size, 5);
        Path parent = convert(raw, "parent.vhd", "subformat=dynamic,force_size=on");
        byte[] parentId;
        try (BlockSource p = open(parent)) {
            parentId = ((VhdBlockSource) p).footer().uniqueId();
        }
        Random random = new Random(6);
        DifferencingVhd child = new DifferencingVhd(size, parentId, "parent.vhd");
        for (long[] w : new long[][] {{0, 512}, {4096, 8192}, {2 * 1024 * 1024 + 512 * 3, 512 * 9},
                {4 * 1024 * 1024, 2 * 1024 * 1024}, {8 * 1024 * 1024 + 1024 * 1024, 512 * 5}}) {
            byte[] data = new byte[(int) w[1]];
            random.nextBytes(data);
            child.write(w[0], data);
        }
        Path childFile = dir.resolve("sub").resolve("child.vhd");
        Files.createDirectories(childFile.getParent());
        Files.move(parent, dir.resolve("sub").resolve("parent.vhd"));
        child.writeTo(childFile);
        Path expected = Files.write(dir.resolve("expected.raw"), child.expected(Files.readAllBytes(raw)));
        try (BlockSource source = open(childFile)) {
            assertThat(source.size()).isEqualTo(size);
            assertSameBytes(source, expected);
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("subformat", "differencing").containsEntry("parent", "parent.vhd");
            assertThat(info.backing().format()).isEqualTo("vpc");
            assertThat(info.allocatedBytes()).isEqualTo(512 + 8192 + 512 * 9 + 2 * 1024 * 1024 + 512 * 5);
            // Sectors of the child are DATA; the parent's data shows through elsewhere.
            assertThat(source.extents(0, 1024)).containsExactly(new Extent(0, 1024, Extent.Kind.DATA));
        }
        String vhdi = run("vhdiinfo", childFile.toString());
        assertThat(vhdi).contains("Differential").contains("Media size").contains(Long.toString(size));
    }

    @Test
    void aMissingParentOrOneThatIsTheChildItselfIsRefused() throws Exception {
        long size = 4L * 1024 * 1024;
        DifferencingVhd child = new DifferencingVhd(size, new byte[16], "nowhere.vhd");
        Path file = dir.resolve("orphan.vhd");
        child.writeTo(file);
        assertThatThrownBy(() -> open(file)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("orphan.vhd").hasMessageContaining("nowhere.vhd");
        Path self = dir.resolve("self.vhd");
        new DifferencingVhd(size, new byte[16], "self.vhd").writeTo(self);
        assertThatThrownBy(() -> open(self)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("self.vhd").hasMessageContaining("loops");
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        Path raw = seededRaw(dir.resolve("e.raw"), 8L * 1024 * 1024, 7);
        Path image = convert(raw, "e.vhd", "subformat=dynamic,force_size=on");
        byte[] good = Files.readAllBytes(image);

        byte[] badSum = good.clone();
        badSum[100] ^= 1;
        Files.write(image, badSum);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("e.vhd").hasMessageContaining("offset 64").hasMessageContaining("footer checksum");

        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).putLong(48, Long.MIN_VALUE).putLong(40, Long.MIN_VALUE).put(28, (byte) 'w').put(29, (byte) 'i')
                .put(30, (byte) 'n').put(31, (byte) ' ');
        ByteBuffer.wrap(huge).putInt(64, VhdChecksum.compute(Arrays.copyOf(huge, 512), 64));
        Files.write(image, huge);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("offset 48").hasMessageContaining("footer current size");

        // Truncated: the BAT still names blocks that are no longer in the file.
        Files.write(image, Arrays.copyOf(good, good.length / 2));
        Files.write(image, Arrays.copyOf(good, 0), java.nio.file.StandardOpenOption.APPEND);
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> source.read(source.size() - 4096, ByteBuffer.allocate(4096)))
                    .isInstanceOf(ImageFormatException.class).hasMessageContaining("BAT entry").hasMessageContaining("e.vhd");
        }
    }

    @Test
    void corruptedHeadersGiveTypedErrorsOrData() throws Exception {
        Path raw = seededRaw(dir.resolve("f.raw"), 6L * 1024 * 1024 + 512, 8);
        Path image = convert(raw, "f.vhd", "subformat=dynamic,force_size=on");
        byte[] good = Files.readAllBytes(image);
        Random random = new Random(9);
        for (int round = 0; round < 300; round++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                int at = random.nextBoolean() ? random.nextInt(2048) : bad.length - 1 - random.nextInt(512);
                bad[at] = (byte) random.nextInt(256);
            }
            // Keep the checksums right half of the time, so that corrupt values get past them.
            if (random.nextBoolean()) {
                ByteBuffer b = ByteBuffer.wrap(bad);
                b.putInt(64, VhdChecksum.compute(Arrays.copyOf(bad, 512), 64));
                b.putInt(512 + 36, VhdChecksum.compute(Arrays.copyOfRange(bad, 512, 1536), 36));
            }
            Files.write(image, bad);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readAllOrTypedError(image));
        }
    }

    static void readAllOrTypedError(Path image) {
        try (BlockSource source = open(image)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < source.size(); pos += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), source.size() - pos));
                source.read(pos, buf);
            }
            source.extents(0, source.size());
        } catch (ImageFormatException | MediumException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (IOException e) {
            throw new AssertionError("untyped I/O error " + e, e);
        }
    }

    @Test
    void aLargeSparseDiskOpensFastAndReadsRight() throws Exception {
        Path image = dir.resolve("big.vhd");
        run("qemu-img", "create", "-q", "-f", "vpc", "-o", "force_size=on", image.toString(), "2000G");
        long end = 2000L * 1024 * 1024 * 1024;
        run("qemu-io", "-f", "vpc", "-c", "write -P 0x5a " + (end - 1024 * 1024) + " 65536", image.toString());
        long t0 = System.nanoTime();
        try (BlockSource source = open(image)) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(source.size()).isEqualTo(end);
            ByteBuffer buf = ByteBuffer.allocate(131072);
            source.read(end - 1024 * 1024 - 65536, buf);
            for (int i = 0; i < 131072; i++) {
                assertThat(buf.get(i)).isEqualTo(i < 65536 ? (byte) 0 : (byte) 0x5a);
            }
        }
    }
}
