package io.lunport.translation.qcow2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageFormats;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The qcow2 reader against qemu: each image is made by qemu-img/qemu-io, and every byte the
 * reader returns must equal what {@code qemu-img convert -O raw} makes of the same image.
 * Caches are kept tiny so that tables and clusters are evicted and reloaded during a test.
 */
class Qcow2BlockSourceTest {

    private static final int KIB = 1024;
    private static final int MIB = 1024 * 1024;
    /** Not a multiple of any cluster size but 512 (qemu rounds sizes up to sectors): the last cluster is partial. */
    private static final long ODD_SIZE = 5L * MIB + 25 * 512;

    @TempDir
    Path dir;

    @BeforeAll
    static void qemu() {
        Qemu.assumeInstalled();
    }

    private static TranslationContext tinyCaches() {
        return new TranslationContext(256 * KIB, 512 * KIB);
    }

    private BlockSource open(Path image) throws IOException {
        return new ImageOpener(tinyCaches()).open(image);
    }

    static Stream<Arguments> layouts() {
        List<Arguments> all = new ArrayList<>();
        for (String compat : List.of("0.10", "1.1")) {
            for (String cluster : List.of("512", "4k", "64k", "2M")) {
                all.add(Arguments.of(compat, cluster, "none"));
                all.add(Arguments.of(compat, cluster, "zlib"));
                if (compat.equals("1.1")) {
                    all.add(Arguments.of(compat, cluster, "zstd"));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "compat={0} cluster_size={1} compression={2}")
    @MethodSource("layouts")
    void everyByteMatchesQemu(String compat, String cluster, String compression) throws IOException {
        Path raw = Qemu.randomRaw(dir.resolve("src.raw"), ODD_SIZE, 48 * KIB, 42);
        Path image = dir.resolve("img.qcow2");
        List<String> args = new ArrayList<>(List.of("convert", "-O", "qcow2"));
        String options = "compat=" + compat + ",cluster_size=" + cluster;
        if (!compression.equals("none")) {
            args.add("-c");
            options += ",compression_type=" + compression;
        }
        args.addAll(List.of("-o", options, raw.toString(), image.toString()));
        Qemu.img(args.toArray(String[]::new));

        byte[] expected = Qemu.oracle(image);
        assertThat(Arrays.mismatch(expected, Files.readAllBytes(raw))).as("qemu reads back the raw file").isEqualTo(-1);
        try (BlockSource source = open(image)) {
            assertThat(source.formatName()).isEqualTo("qcow2");
            assertThat(source.size()).isEqualTo(ODD_SIZE);
            assertReadsLike(source, expected, 7);
            SourceInfo info = source.describe();
            assertThat(info.clusterSize()).isEqualTo(switch (cluster) {
                case "512" -> 512L;
                case "4k" -> 4L * KIB;
                case "64k" -> 64L * KIB;
                default -> 2L * MIB;
            });
            assertThat(info.details()).containsEntry("version", compat.equals("0.10") ? "2" : "3");
            assertThat(info.compression()).isEqualTo(compression.equals("none") ? null
                    : compression.equals("zlib") ? "deflate" : "zstd");
            assertThat(info.allocatedBytes()).isEqualTo(qemuAllocatedBytes(image));
            assertExtentsLikeQemu(source, image);
        }
    }

    @Test
    void compressedClusterEndingInAShortLastSector() throws IOException {
        // A compressed cluster's descriptor counts whole sectors, but the file may end inside
        // the last one: the missing tail must not fail the read, as it does not in qemu.
        Path raw = dir.resolve("src.raw");
        byte[] expected = new byte[3 * MIB];
        Random random = new Random(7);
        for (int i = 0; i < expected.length; i++) {
            expected[i] = (byte) random.nextInt(4); // compressible: every cluster is stored compressed
        }
        Files.write(raw, expected);
        Path image = dir.resolve("c.qcow2");
        Qemu.img("convert", "-c", "-O", "qcow2", "-o", "cluster_size=64k", raw.toString(), image.toString());
        long lastEnd = lastCompressedEnd(image);
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.truncate(lastEnd); // cut right after the compressed bytes, mid-sector
        }
        assertThat(lastEnd % 512).as("the cut falls inside a sector").isNotZero();
        assertThat(Arrays.mismatch(Qemu.oracle(image), expected)).as("qemu still reads the image").isEqualTo(-1);
        try (BlockSource source = open(image)) {
            assertReadsLike(source, expected, 3);
        }
    }

    @Test
    void extendedL2SubclustersOverABackingFile() throws IOException {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("convert", "-O", "qcow2", Qemu.randomRaw(dir.resolve("b.raw"), 4L * MIB, 32 * KIB, 3).toString(),
                base.toString());
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-f", "qcow2", "-o", "extended_l2=on,cluster_size=64k", "-b", base.getFileName().toString(),
                "-F", "qcow2", top.toString(), Long.toString(ODD_SIZE));
        Qemu.io(top, "qcow2",
                "write -P 0xaa 4k 2k", // one subcluster (2 KiB) of a cluster
                "write -P 0xbb 70k 5k", // parts of three subclusters
                "write -z 200k 10k", // zero subclusters, hiding the backing file
                "write -P 0xcc 1m 192k", // whole clusters
                "write -z 1088k 64k", // a whole zero cluster
                "write -c -P 0xdd 2m 64k", // a compressed cluster (no subclusters)
                "write -P 0xee 5m 12800", // the partial last cluster, past the backing file's end
                "discard 1m 4k");
        byte[] expected = Qemu.oracle(top);
        try (BlockSource source = open(top)) {
            assertReadsLike(source, expected, 11);
            SourceInfo info = source.describe();
            assertThat(info.details()).containsKey("extended L2");
            assertThat(info.allocatedBytes()).isEqualTo(qemuAllocatedBytes(top));
            assertThat(info.backing()).isNotNull();
            assertThat(info.backing().format()).isEqualTo("qcow2");
            assertExtentsLikeQemu(source, top);
        }
    }

    @Test
    void zeroClustersHideTheBackingFileAndUnallocatedOnesShowIt() throws IOException {
        Path base = Qemu.randomRaw(dir.resolve("base.raw"), 2L * MIB, 64 * KIB, 9);
        Files.write(base, randomBytes(2 * MIB, 10)); // fully random, no holes
        for (String compat : List.of("0.10", "1.1")) {
            Path top = dir.resolve("top-" + compat + ".qcow2");
            Qemu.img("create", "-f", "qcow2", "-o", "compat=" + compat, "-b", base.toString(), "-F", "raw",
                    top.toString(), "3M");
            Qemu.io(top, "qcow2", "write -z 64k 128k", "write -P 0x11 512k 4k");
            byte[] expected = Qemu.oracle(top);
            assertThat(Arrays.copyOfRange(expected, 64 * KIB, 192 * KIB)).containsOnly(0);
            assertThat(Arrays.copyOfRange(expected, 2 * MIB, 3 * MIB)).as("past the backing file's end").containsOnly(0);
            try (BlockSource source = open(top)) {
                assertReadsLike(source, expected, 5);
                if (compat.equals("1.1")) {
                    assertThat(source.extents(64 * KIB, 128 * KIB)).containsExactly(new Extent(64 * KIB, 128 * KIB,
                            Extent.Kind.ZERO));
                }
                assertThat(source.extents(2 * MIB, MIB)).containsExactly(new Extent(2 * MIB, MIB,
                        Extent.Kind.UNALLOCATED));
                assertThat(source.describe().backing().format()).isEqualTo("raw");
            }
        }
    }

    @Test
    void backingFormatHintIsObeyed() throws IOException {
        // The backing file is a qcow2 image, but the child says it is raw: it is read as raw bytes, as qemu does.
        Path base = dir.resolve("base.qcow2");
        Qemu.img("create", "-f", "qcow2", base.toString(), "1M");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-f", "qcow2", "-b", "base.qcow2", "-F", "raw", top.toString(), "1M");
        byte[] expected = Qemu.oracle(top);
        assertThat(expected[0]).isEqualTo((byte) 'Q');
        try (BlockSource source = open(top)) {
            assertReadsLike(source, expected, 1);
            SourceInfo info = source.describe();
            assertThat(info.backing().format()).isEqualTo("raw");
            assertThat(info.details()).containsEntry("backing format", "raw")
                    .containsEntry("backing file name", "base.qcow2");
        }
    }

    @Test
    void threeLayerChain() throws IOException {
        Path base = dir.resolve("base.qcow2");
        Qemu.img("convert", "-O", "qcow2", Qemu.randomRaw(dir.resolve("b.raw"), 4L * MIB, 64 * KIB, 1).toString(),
                base.toString());
        Path mid = dir.resolve("mid.qcow2");
        Qemu.img("create", "-f", "qcow2", "-o", "cluster_size=4k", "-b", "base.qcow2", "-F", "qcow2", mid.toString());
        Qemu.io(mid, "qcow2", "write -P 1 100k 300k", "write -z 1m 1m");
        Path top = dir.resolve("top.qcow2");
        Qemu.img("create", "-f", "qcow2", "-o", "compat=0.10,cluster_size=128k", "-b", "mid.qcow2", "-F", "qcow2",
                top.toString(), "6M");
        Qemu.io(top, "qcow2", "write -P 2 1100k 200k", "write -P 3 5m 512k");
        byte[] expected = Qemu.oracle(top);
        try (BlockSource source = open(top)) {
            assertReadsLike(source, expected, 9);
            SourceInfo info = source.describe();
            assertThat(info.backing().backing().file().getFileName().toString()).isEqualTo("base.qcow2");
            assertThat(info.backing().backing().backing()).isNull();
            assertExtentsLikeQemu(source, top);
        }
    }

    @Test
    void externalDataFileRaw() throws IOException {
        Path image = dir.resolve("ext.qcow2");
        Qemu.run("sh", "-c", "cd '" + dir + "' && qemu-img create -f qcow2 -o data_file=ext.data,data_file_raw=on"
                + " ext.qcow2 3M");
        Qemu.io(image, "qcow2", "write -P 0x5a 0 64k", "write -P 0x6b 1000k 300k", "write -z 1m 64k");
        byte[] expected = Qemu.oracle(image);
        try (BlockSource source = open(image)) {
            assertReadsLike(source, expected, 4);
            assertThat(source.describe().details().get("data file")).endsWith("ext.data (raw)");
        }
        // Resolved relative to the image, whatever the working directory.
        Path moved = Files.createDirectories(dir.resolve("moved"));
        Files.move(image, moved.resolve("ext.qcow2"));
        Files.move(dir.resolve("ext.data"), moved.resolve("ext.data"));
        try (BlockSource source = open(moved.resolve("ext.qcow2"))) {
            assertReadsLike(source, expected, 1);
        }
        Files.delete(moved.resolve("ext.data"));
        assertThatThrownBy(() -> open(moved.resolve("ext.qcow2"))).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("ext.data").hasMessageContaining("does not exist");
    }

    @Test
    void externalDataFileWithBackingAndHostOffsetZero() throws IOException {
        Path base = Qemu.randomRaw(dir.resolve("base.raw"), 2L * MIB, 64 * KIB, 5);
        Path image = dir.resolve("ext.qcow2");
        Qemu.run("sh", "-c", "cd '" + dir + "' && qemu-img create -f qcow2 -o data_file=ext.data -b base.raw -F raw"
                + " ext.qcow2 2M");
        // Cluster 0 lives at host offset 0 of the data file: an L2 entry of offset 0 with the copied bit.
        Qemu.io(image, "qcow2", "write -P 0x77 0 64k", "write -P 0x78 512k 100k", "write -z 1m 64k");
        byte[] expected = Qemu.oracle(image);
        try (BlockSource source = open(image)) {
            assertReadsLike(source, expected, 4);
            assertThat(source.extents(0, 64 * KIB)).containsExactly(new Extent(0, 64 * KIB, Extent.Kind.DATA));
        }
    }

    @Test
    void detectedByContent() throws IOException {
        Path image = dir.resolve("no-extension");
        Qemu.img("create", "-f", "qcow2", image.toString(), "1M");
        assertThat(ImageFormats.detect(FileProbe.read(image)).name()).isEqualTo("qcow2");
        try (BlockSource source = open(image)) {
            byte[] all = new byte[MIB];
            Arrays.fill(all, (byte) 1);
            source.read(0, ByteBuffer.wrap(all));
            assertThat(all).containsOnly(0);
            assertThat(source.extents(0, MIB)).containsExactly(new Extent(0, MIB, Extent.Kind.UNALLOCATED));
            assertThat(source.describe().allocatedBytes()).isZero();
            assertThat(source.describe().compression()).isNull();
        }
    }

    @Test
    void manyThreadsRandomReads() throws Exception {
        Path raw = Qemu.randomRaw(dir.resolve("src.raw"), 8L * MIB, 40 * KIB, 77);
        Path plain = dir.resolve("plain.qcow2");
        Path packed = dir.resolve("packed.qcow2");
        Qemu.img("convert", "-O", "qcow2", "-o", "cluster_size=16k", raw.toString(), plain.toString());
        Qemu.img("convert", "-c", "-O", "qcow2", "-o", "cluster_size=16k,compression_type=zstd", raw.toString(),
                packed.toString());
        byte[] expected = Files.readAllBytes(raw);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            for (Path image : List.of(plain, packed)) {
                try (BlockSource source = new ImageOpener(new TranslationContext(64 * KIB, 128 * KIB)).open(image)) {
                    List<Future<?>> futures = new ArrayList<>();
                    for (int t = 0; t < 6; t++) {
                        int seed = t;
                        futures.add(pool.submit(() -> {
                            randomReads(source, expected, new Random(seed), 400);
                            return null;
                        }));
                    }
                    for (Future<?> f : futures) {
                        f.get();
                    }
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void encryptedImagesAreRefused() throws IOException {
        for (int method : new int[] {1, 2}) {
            Path image = plainImage("enc" + method + ".qcow2");
            patchInt(image, 32, method);
            assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("crypt_method").hasMessageContaining("encrypted")
                    .hasMessageContaining(method == 1 ? "AES" : "LUKS");
        }
    }

    @Test
    void corruptBitIsRefusedDirtyBitIsReported() throws IOException {
        Path corrupt = plainImage("corrupt.qcow2");
        patchLong(corrupt, 72, 2);
        assertThatThrownBy(() -> open(corrupt)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("marked corrupt");

        Path dirty = plainImage("dirty.qcow2");
        byte[] expected = Qemu.oracle(dirty);
        patchLong(dirty, 72, 1);
        try (BlockSource source = open(dirty)) {
            assertReadsLike(source, expected, 1);
            assertThat(source.describe().details()).containsKey("dirty");
        }
    }

    @Test
    void unknownIncompatibleFeaturesAreRefusedByName() throws IOException {
        Path unnamed = plainImage("unnamed.qcow2");
        patchLong(unnamed, 72, 1L << 40);
        assertThatThrownBy(() -> open(unnamed)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("incompatible_features").hasMessageContaining("bit 40");

        // Rename an entry of the image's own feature name table to an incompatible bit 9, "frobnication".
        Path named = plainImage("named.qcow2");
        int entry = featureTableEntry(named);
        try (FileChannel ch = FileChannel.open(named, StandardOpenOption.WRITE)) {
            ByteBuffer e = ByteBuffer.allocate(48);
            e.put((byte) 0).put((byte) 9).put("frobnication".getBytes(StandardCharsets.US_ASCII)).clear();
            ch.write(e, entry);
        }
        patchLong(named, 72, (1L << 9) | (1L << 40));
        assertThatThrownBy(() -> open(named)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("'frobnication' (bit 9)").hasMessageContaining("bit 40");
    }

    @Test
    void badHeadersAreRefused() throws IOException {
        Path v4 = plainImage("v4.qcow2");
        patchInt(v4, 4, 4);
        assertThatThrownBy(() -> open(v4)).isInstanceOf(ImageFormatException.class).hasMessageContaining("version 4");

        Path noName = plainImage("noname.qcow2");
        patchLong(noName, 72, 1L << 2);
        assertThatThrownBy(() -> open(noName)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("external data file");

        Path bigClusters = plainImage("clusters.qcow2");
        patchInt(bigClusters, 20, 30);
        assertThatThrownBy(() -> open(bigClusters)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("cluster_bits");
    }

    @Test
    void corruptL2EntryIsAMediumError() throws IOException {
        Path image = plainImage("badl2.qcow2");
        // Point the first L2 entry at an offset that is not cluster-aligned.
        long l2 = readLong(image, readLong(image, 40)) & 0x00fffffffffffe00L;
        patchLong(image, l2, (1L << 63) | (64 * KIB + 512));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> source.read(0, ByteBuffer.allocate(512)))
                    .isInstanceOf(io.lunport.translation.MediumException.class)
                    .hasMessageContaining("not cluster-aligned");
        }
    }

    // ------------------------------------------------------------------ helpers

    private Path plainImage(String name) throws IOException {
        Path image = dir.resolve(name);
        Qemu.img("convert", "-O", "qcow2", Qemu.randomRaw(dir.resolve(name + ".raw"), MIB, 64 * KIB, 4).toString(),
                image.toString());
        return image;
    }

    /** Reads the whole disk at once, then in random pieces into heap and direct buffers. */
    private static void assertReadsLike(BlockSource source, byte[] expected, long seed) throws IOException {
        assertThat(source.size()).isEqualTo(expected.length);
        ByteBuffer all = ByteBuffer.allocate(expected.length);
        source.read(0, all);
        assertThat(all.position()).isEqualTo(expected.length);
        int mismatch = Arrays.mismatch(all.array(), expected);
        assertThat(mismatch).as("first differing byte of a whole-disk read").isEqualTo(-1);
        randomReads(source, expected, new Random(seed), 200);
    }

    private static void randomReads(BlockSource source, byte[] expected, Random random, int count) throws IOException {
        for (int i = 0; i < count; i++) {
            int length = 1 + random.nextInt(random.nextBoolean() ? 4 * KIB : 300 * KIB);
            length = Math.min(length, expected.length);
            int offset = random.nextInt(expected.length - length + 1);
            boolean direct = random.nextBoolean();
            int slack = random.nextInt(16);
            ByteBuffer buf = direct ? ByteBuffer.allocateDirect(length + 2 * slack) : ByteBuffer.allocate(length + 2 * slack);
            buf.position(slack).limit(slack + length);
            source.read(offset, buf);
            assertThat(buf.position()).isEqualTo(slack + length);
            byte[] got = new byte[length];
            buf.get(slack, got);
            int mismatch = Arrays.mismatch(got, 0, length, expected, offset, offset + length);
            assertThat(mismatch).as("first differing byte of a read of %d bytes at %d", length, offset).isEqualTo(-1);
        }
    }

    private static final Pattern MAP_ENTRY = Pattern.compile(
            "\\{\\s*\"start\":\\s*(\\d+),\\s*\"length\":\\s*(\\d+),\\s*\"depth\":\\s*(\\d+),"
                    + "(?:\\s*\"present\":\\s*(true|false),)?\\s*\"zero\":\\s*(true|false),\\s*\"data\":\\s*(true|false)");

    /** qemu-img map's view: what the top layer stores data for. */
    private static long qemuAllocatedBytes(Path image) {
        long total = 0;
        Matcher m = MAP_ENTRY.matcher(Qemu.runIn(image.toAbsolutePath().getParent(), "qemu-img", "map", "--output=json", image.toString()));
        while (m.find()) {
            if (Integer.parseInt(m.group(3)) == 0 && m.group(6).equals("true")) {
                total += Long.parseLong(m.group(2));
            }
        }
        return total;
    }

    /** Our extents of the whole disk equal qemu-img map's, merged to runs of one kind. */
    private static void assertExtentsLikeQemu(BlockSource source, Path image) throws IOException {
        List<Extent> qemu = new ArrayList<>();
        Matcher m = MAP_ENTRY.matcher(Qemu.runIn(image.toAbsolutePath().getParent(), "qemu-img", "map", "--output=json", image.toString()));
        while (m.find()) {
            boolean present = m.group(4) == null || m.group(4).equals("true");
            Extent.Kind kind = m.group(6).equals("true") ? Extent.Kind.DATA
                    : present ? Extent.Kind.ZERO : Extent.Kind.UNALLOCATED;
            add(qemu, new Extent(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), kind));
        }
        List<Extent> ours = new ArrayList<>();
        for (Extent e : source.extents(0, source.size())) {
            add(ours, e);
        }
        assertThat(ours).isEqualTo(qemu);
    }

    private static void add(List<Extent> runs, Extent e) {
        if (!runs.isEmpty() && runs.get(runs.size() - 1).kind() == e.kind()) {
            Extent last = runs.remove(runs.size() - 1);
            runs.add(new Extent(last.offset(), last.length() + e.length(), e.kind()));
        } else {
            runs.add(e);
        }
    }

    /** File offset just past the compressed data of the last compressed cluster. */
    private static long lastCompressedEnd(Path image) throws IOException {
        int clusterBits = readInt(image, 20);
        long l1Offset = readLong(image, 40);
        int l1Size = readInt(image, 36);
        int shift = 62 - (clusterBits - 8);
        long best = 0;
        long bestEnd = 0;
        try (FileChannel ch = FileChannel.open(image)) {
            for (int i = 0; i < l1Size; i++) {
                long l2 = readLong(ch, l1Offset + 8L * i) & 0x00fffffffffffe00L;
                if (l2 == 0) {
                    continue;
                }
                ByteBuffer table = ByteBuffer.allocate(1 << clusterBits);
                ch.read(table, l2);
                for (int j = 0; j < table.capacity(); j += 8) {
                    long e = table.getLong(j);
                    if ((e & (1L << 62)) == 0) {
                        continue;
                    }
                    long off = e & ((1L << shift) - 1);
                    if (off < best) {
                        continue;
                    }
                    // Find where the deflate stream really ends: inflate until the stream end.
                    long sectors = ((e >>> shift) & ((1L << (clusterBits - 8)) - 1)) + 1;
                    int csize = (int) (sectors * 512 - (off & 511));
                    ByteBuffer in = ByteBuffer.allocate(csize);
                    ch.read(in, off);
                    java.util.zip.Inflater inflater = new java.util.zip.Inflater(true);
                    inflater.setInput(in.array(), 0, in.position());
                    try {
                        inflater.inflate(new byte[1 << clusterBits]);
                    } catch (java.util.zip.DataFormatException ex) {
                        throw new AssertionError(ex);
                    }
                    best = off;
                    bestEnd = off + (in.position() - inflater.getRemaining());
                    inflater.end();
                }
            }
        }
        assertThat(best).as("the image has compressed clusters").isPositive();
        return bestEnd;
    }

    /** Where the feature name table's first entry starts in the file. */
    private static int featureTableEntry(Path image) throws IOException {
        int at = readInt(image, 100);
        while (true) {
            int type = readInt(image, at);
            int length = readInt(image, at + 4);
            assertThat(type).as("feature name table present").isNotZero();
            if (type == 0x6803f857) {
                return at + 8;
            }
            at += 8 + ((length + 7) & ~7);
        }
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int readInt(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer b = ByteBuffer.allocate(4);
            ch.read(b, at);
            return b.getInt(0);
        }
    }

    private static long readLong(Path file, long at) throws IOException {
        try (FileChannel ch = FileChannel.open(file)) {
            return readLong(ch, at);
        }
    }

    private static long readLong(FileChannel ch, long at) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(8);
        ch.read(b, at);
        return b.getLong(0);
    }

    private static void patchInt(Path file, long at, int value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(4).putInt(0, value), at);
        }
    }

    private static void patchLong(Path file, long at, long value) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.allocate(8).putLong(0, value), at);
        }
    }
}
