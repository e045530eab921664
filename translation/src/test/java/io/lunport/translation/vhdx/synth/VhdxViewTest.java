package io.lunport.translation.vhdx.synth;

import static io.lunport.translation.blockmap.ImageTests.assertSameBytes;
import static io.lunport.translation.blockmap.ImageTests.qemuMap;
import static io.lunport.translation.blockmap.ImageTests.qemuRaw;
import static io.lunport.translation.blockmap.ImageTests.run;
import static io.lunport.translation.vhdx.synth.VhdxOracles.assertSameBytesZeroPadded;
import static io.lunport.translation.vhdx.synth.VhdxOracles.libvhdiRaw;
import static io.lunport.translation.vhdx.synth.VhdxOracles.materialize;
import static io.lunport.translation.vhdx.synth.VhdxOracles.qemuAccepts;
import static io.lunport.translation.vhdx.synth.VhdxOracles.qemuIdentical;
import static io.lunport.translation.vhdx.synth.VhdxOracles.sparseRaw;
import static io.lunport.translation.vhdx.synth.VhdxOracles.vhdiinfoAccepts;
import static io.lunport.translation.blockmap.QemuImages.open;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.RawBlockSource;
import io.lunport.translation.blockmap.ImageTests.MapEntry;
import io.lunport.translation.vhdx.VhdxBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.TreeSet;
import io.lunport.translation.vhdx.synth.SourceImages.Image;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The VHDX view of every source format and chain the readers support, materialized to a
 * file and judged by readers we did not write: qemu-img check, info and compare (512-byte
 * sectors), vhdiinfo and libvhdi's reads (4096-byte sectors too), and our own VHDX reader.
 */
class VhdxViewTest {

    private static final long MIB = 1 << 20;
    /** Not a multiple of 4096 nor of any block size: the last block and the sector rounding are exercised. */
    private static final long SIZE = 40 * MIB + 3 * 512;

    @TempDir
    static Path dir;
    private static Path raw;

    @BeforeAll
    static void source() throws IOException {
        // Data in blocks 0-2, 9, 33 and the tail at 1 MiB blocks; blocks 0 and 1 at 32 MiB; holes elsewhere.
        raw = sparseRaw(dir.resolve("source.raw"), SIZE, 41, 0, 3 * MIB - 4096, 9 * MIB + 512, 70_000,
                33 * MIB + 4096, MIB, 40 * MIB, 3 * 512);
    }

    static List<Image> images() throws Exception {
        return SourceImages.build(dir, raw);
    }

    @ParameterizedTest
    @MethodSource("images")
    void viewIsAVhdxOfTheSameDisk(Image image) throws Exception {
        Path flat = qemuRaw(image.path(), image.format());
        for (VhdxLayoutOptions options : List.of(VhdxLayoutOptions.defaults(512), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            Path file = dir.resolve(image.name() + "-" + options.blockSize() + ".vhdx");
            try (VhdxView view = VhdxView.of(open(image.path()), options)) {
                materialize(view, file);
                assertThat(Files.size(file)).isEqualTo(view.layout().fileLength());
                long virtualSize = (Files.size(flat) + 511) / 512 * 512;
                qemuAccepts(file, virtualSize);
                qemuIdentical(file, image.path(), image.format());
                vhdiinfoAccepts(file, virtualSize, 512);
                assertThat(run("vhdiinfo", file.toString())).contains("Identifier\t\t: " + view.dataWriteGuid());
                assertSameBytesZeroPadded(flat, libvhdiRaw(file));
                try (BlockSource reread = open(file)) {
                    assertThat(reread).isInstanceOf(VhdxBlockSource.class);
                    assertSameBytes(reread, flat);
                }
                assertPresentBlocksAreTheBlocksWithData(view, flat);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void fourKiBSectorsReadTheSameThroughLibvhdi(Image image) throws Exception {
        Path flat = qemuRaw(image.path(), image.format());
        Path file = dir.resolve(image.name() + "-4k.vhdx");
        try (VhdxView view = VhdxView.of(open(image.path()), VhdxLayoutOptions.defaults(4096))) {
            materialize(view, file);
        }
        long virtualSize = (Files.size(flat) + 4095) / 4096 * 4096;
        vhdiinfoAccepts(file, virtualSize, 4096);
        Path read = libvhdiRaw(file);
        assertThat(Files.size(read)).isEqualTo(virtualSize);
        assertSameBytesZeroPadded(flat, read);
        try (BlockSource reread = open(file)) {
            assertThat(reread.describe().details()).containsEntry("logical sector size", "4096");
            assertSameBytes(reread, flat);
        }
    }

    /** Each block is stored exactly when some byte of it differs from zero or the source stores data there. */
    private static void assertPresentBlocksAreTheBlocksWithData(VhdxView view, Path flat) throws IOException {
        byte[] bytes = Files.readAllBytes(flat);
        long blockSize = view.layout().blockSize();
        long stored = 0;
        for (long block = 0; block < view.layout().totalBlocks(); block++) {
            long start = block * blockSize;
            long end = Math.min(bytes.length, start + blockSize);
            boolean data = view.source().extents(start, Math.min(view.source().size(), end) - start).stream()
                    .anyMatch(e -> e.kind() == Extent.Kind.DATA);
            boolean nonZero = false;
            for (long i = start; i < end && !nonZero; i++) {
                nonZero = bytes[(int) i] != 0;
            }
            long entry = view.batEntry(block + block / view.layout().chunkRatio());
            assertThat(entry != 0).as("block %d stored", block).isEqualTo(data);
            if (nonZero) {
                assertThat(data).as("block %d holds non-zero bytes", block).isTrue();
            }
            stored += data ? 1 : 0;
        }
        assertThat(view.layout().payloadBlocks()).isEqualTo(stored);
    }

    /**
     * A raw source's holes reach the view: the blocks it stores are exactly those that
     * {@code qemu-img map -f raw} (which asks the file system itself) finds data in.
     */
    @Test
    void aRawSourceStoresOnlyTheBlocksItsFileSystemHasDataIn() throws Exception {
        long blockSize = 1 << 20;
        TreeSet<Long> expected = new java.util.TreeSet<>();
        for (MapEntry entry : qemuMap(raw, "raw")) {
            for (long b = entry.start() / blockSize; entry.data() && b <= (entry.start() + entry.length() - 1) / blockSize; b++) {
                expected.add(b);
            }
        }
        assertThat(expected).as("the source has holes").hasSizeLessThan((int) (SIZE / blockSize));
        try (VhdxView view = VhdxView.of(RawBlockSource.open(raw), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            TreeSet<Long> stored = new java.util.TreeSet<>();
            for (long block = 0; block < view.layout().totalBlocks(); block++) {
                if (view.batEntry(block + block / view.layout().chunkRatio()) != 0) {
                    stored.add(block);
                }
            }
            assertThat(stored).isEqualTo(expected);
        }
    }

    @Test
    void chunksBeyondTheFirstPutBitmapEntriesInTheirPlace() throws Exception {
        // 1 MiB blocks of 512-byte sectors: a chunk is 4096 blocks (4 GiB); data in three chunks.
        Path image = dir.resolve("chunks.qcow2");
        run("qemu-img", "create", "-f", "qcow2", image.toString(), "9G");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x21 0 64k", "-c", "write -P 0x22 4095M 2M",
                "-c", "write -P 0x23 8G 1M", "-c", "write -P 0x24 9215M 1M", image.toString());
        Path file = dir.resolve("chunks.vhdx");
        try (VhdxView view = VhdxView.of(open(image), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            assertThat(view.layout().chunkRatio()).isEqualTo(4096);
            assertThat(view.layout().payloadBlocks()).isEqualTo(1 + 2 + 1 + 1);
            assertThat(view.layout().batEntries()).isEqualTo(9216 + 2);
            materialize(view, file);
        }
        qemuAccepts(file, 9L << 30);
        qemuIdentical(file, image, "qcow2");
        vhdiinfoAccepts(file, 9L << 30, 512);
        try (BlockSource reread = open(file); BlockSource original = open(image)) {
            for (long at : new long[] {0, 4095L * MIB, 4096L * MIB, 8L << 30, 9215L * MIB}) {
                ByteBuffer a = ByteBuffer.allocate((int) MIB);
                ByteBuffer b = ByteBuffer.allocate((int) MIB);
                reread.read(at, a);
                original.read(at, b);
                assertThat(a.flip()).as("MiB at %d", at).isEqualTo(b.flip());
            }
        }
    }

    /** The BAT is made entry by entry: a read that cuts entries, in either byte order, gives the same bytes. */
    @Test
    void theBatReadsTheSameInOddPiecesAndEitherByteOrder() throws Exception {
        try (VhdxView view = VhdxView.of(open(raw), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            long bat = view.layout().batOffset();
            int length = (int) view.layout().batLength();
            ByteBuffer whole = ByteBuffer.allocate(length);
            view.read(bat, whole);
            assertThat(whole.getLong(0)).as("entry 0 is present").isNotZero();
            for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
                ByteBuffer pieces = ByteBuffer.allocateDirect(length).order(order);
                for (int at = 0; at < length; at += 13) { // 13: every piece but some cuts an entry
                    pieces.limit(Math.min(length, at + 13)).position(at);
                    view.read(bat + at, pieces.slice().order(order));
                }
                assertThat(pieces.clear()).as("BAT read 13 bytes at a time, %s", order).isEqualTo(whole.clear());
            }
        }
    }

    @Test
    void largeSparseSourceIsReadyAtOnceAndCostsItsBat() throws Exception {
        Path image = dir.resolve("large.qcow2");
        run("qemu-img", "create", "-f", "qcow2", image.toString(), "2T");
        run("qemu-io", "-f", "qcow2", "-c", "write -P 0x31 0 1M", "-c", "write -P 0x32 1T 4k",
                "-c", "write -P 0x33 2047G 1M", image.toString());
        try (BlockSource source = open(image)) {
            long start = System.nanoTime();
            VhdxView view = VhdxView.of(source, VhdxLayoutOptions.defaults(512));
            long micros = (System.nanoTime() - start) / 1000;
            System.out.printf("VHDX view of a 2 TiB sparse qcow2: ready in %d us, %d of %d blocks present, BAT %d bytes, file %d bytes%n",
                    micros, view.layout().payloadBlocks(), view.layout().totalBlocks(), view.layout().batLength(),
                    view.size());
            assertThat(micros).as("microseconds to build the view").isLessThan(2_000_000);
            assertThat(view.layout().totalBlocks()).isEqualTo(65536);
            assertThat(view.layout().payloadBlocks()).isEqualTo(3);
            assertThat(view.layout().batLength()).isEqualTo(MIB);
            assertThat(view.size()).isEqualTo(view.layout().firstPayloadOffset() + 3 * 32 * MIB);
            ByteBuffer got = ByteBuffer.allocate(4096);
            view.read(view.layout().payloadOffset(1), got);
            ByteBuffer want = ByteBuffer.allocate(4096);
            source.read(1L << 40, want);
            assertThat(got.flip()).isEqualTo(want.flip());
        }
    }

    @Test
    void theSameImageGivesTheSameBytesAndAChangedOneOtherGuids() throws Exception {
        Path image = dir.resolve("same.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), image.toString());
        byte[] first = structures(image);
        assertThat(structures(image)).isEqualTo(first);
        Files.setLastModifiedTime(image, FileTime.fromMillis(Files.getLastModifiedTime(image).toMillis() - 60_000));
        byte[] touched = structures(image);
        assertThat(touched).hasSameSizeAs(first).isNotEqualTo(first);
    }

    private static byte[] structures(Path image) throws IOException {
        try (VhdxView view = VhdxView.of(open(image), VhdxLayoutOptions.defaults(512))) {
            ByteBuffer b = ByteBuffer.allocate((int) view.layout().firstPayloadOffset());
            view.read(0, b);
            return b.array();
        }
    }

    /**
     * Inside stored blocks the source's holes show as ZERO runs that read as zeros, and every
     * byte the source holds as data is inside a DATA run; the structures are as in extents().
     */
    @Test
    void extentsInsideBlocksShowTheSourcesZeroRuns() throws Exception {
        try (VhdxView view = VhdxView.of(open(raw), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            long first = view.layout().firstPayloadOffset();
            assertThat(view.extentsInsideBlocks(0, first)).isEqualTo(view.extents(0, first));
            ByteBuffer file = ByteBuffer.allocate((int) view.size());
            view.read(0, file);
            long zeroBytes = 0;
            long at = 0;
            for (Extent e : view.extentsInsideBlocks(0, view.size())) {
                assertThat(e.offset()).isEqualTo(at);
                at = e.end();
                if (e.kind() != Extent.Kind.DATA) {
                    for (long i = e.offset(); i < e.end(); i++) {
                        assertThat(file.get((int) i)).as("byte %d of %s", i, e).isZero();
                    }
                    zeroBytes += e.offset() >= first ? e.length() : 0;
                }
            }
            assertThat(at).isEqualTo(view.size());
            // the stored 1 MiB blocks hold 3 MiB - 4 KiB + 70,000 + 1 MiB + 1.5 KiB of data (rounded out to
            // the file system's 4 KiB blocks); the rest is zeros
            long data = 3 * MIB - 4096 + 70_000 + MIB + 3 * 512;
            assertThat(zeroBytes).as("ZERO bytes inside the stored blocks")
                    .isGreaterThan(view.layout().payloadBlocks() * MIB - data - 8 * 4096);
            // a range starting inside a block and ending inside another is the same runs, cut
            long from = first + MIB / 2 + 7;
            long length = 2 * MIB + 11;
            assertThat(view.extentsInsideBlocks(from, length))
                    .isEqualTo(Extents.within(view.extentsInsideBlocks(0, view.size()), from, length));
        }
    }

    @Test
    void extentsTileTheFileAndMarkStructuresAndBlocksAsData() throws Exception {
        try (VhdxView view = VhdxView.of(open(raw), new VhdxLayoutOptions(1 << 20, 512, 4096))) {
            List<Extent> extents = view.extents(0, view.size());
            long at = 0;
            for (Extent e : extents) {
                assertThat(e.offset()).isEqualTo(at);
                at = e.end();
                if (e.kind() != Extent.Kind.DATA) {
                    ByteBuffer b = ByteBuffer.allocate((int) e.length());
                    view.read(e.offset(), b);
                    assertThat(b.array()).as("%s reads as zeros", e).containsOnly(0);
                }
            }
            assertThat(at).isEqualTo(view.size());
            assertThat(view.extents(view.layout().firstPayloadOffset(), view.size() - view.layout().firstPayloadOffset()))
                    .containsExactly(new Extent(view.layout().firstPayloadOffset(),
                            view.size() - view.layout().firstPayloadOffset(), Extent.Kind.DATA));
            assertThat(view.extents(100, 50)).containsExactly(new Extent(100, 50, Extent.Kind.DATA));
        }
    }
}
