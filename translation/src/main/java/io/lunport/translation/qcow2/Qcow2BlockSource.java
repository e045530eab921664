package io.lunport.translation.qcow2;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.Closeables;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageFormats;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.MediumException;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.cache.OffHeapDataCache;
import io.lunport.translation.codec.Decompressor;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A qcow2 image (versions 2 and 3), read-only: L1 → L2 → host cluster, with zero clusters,
 * compressed clusters (deflate and zstd), extended L2 entries (32 subclusters per cluster),
 * an external data file, and a backing chain for what this layer leaves unallocated.
 *
 * <p>Locking contract: {@link #read} and {@link #extents} run concurrently from any number
 * of threads without a lock of their own. The channels are used with positional reads only;
 * the tables and decompressed clusters live in the shared {@link TranslationContext} caches
 * (which take their own locks on a miss); the small array of L2 hints is written racily
 * with immutable objects, so a reader sees either an old hint or a new one, both valid.
 * {@link #close()} must not race with reads.
 *
 * <p>Memory cost: the header, plus per open image up to {@link #HINT_BYTES} (1 MiB) of L2
 * tables pinned by the hints (1 to 16 tables, whatever the virtual size). Everything else —
 * L1 pages of 4 KiB, L2 tables of one cluster, decompressed clusters — is in the context's
 * byte-bounded caches, so a 2 TB image costs what a small one does.
 *
 * <p>Hot path: an uncompressed read whose L2 table is hinted allocates nothing. It walks the
 * table's entries, coalesces consecutive clusters (or subclusters) that are contiguous on
 * the host into one positional read, fills zero runs from a shared zero array, and hands
 * unallocated runs to the backing source in one call.
 */
public final class Qcow2BlockSource implements BlockSource {

    /** Recognizes {@code QFI\xfb} and opens qcow2 images; the entry in {@link ImageFormats}. */
    public static final ImageFormat FORMAT = new Qcow2Format();

    /** How many bytes of L2 tables each image may pin in its hints, beyond the shared cache. */
    static final int HINT_BYTES = 1 << 20;

    private static final long L1E_OFFSET_MASK = 0x00fffffffffffe00L;
    private static final long L2E_OFFSET_MASK = 0x00fffffffffffe00L;
    private static final long OFLAG_COPIED = 1L << 63;
    private static final long OFLAG_COMPRESSED = 1L << 62;
    private static final long OFLAG_ZERO = 1L;
    private static final int SECTOR = 512;
    private static final int L1_PAGE_BYTES = 4096;
    private static final int L1_PAGE_SHIFT = 9; // 512 entries of 8 bytes per page

    /** Granule classes; a granule's host offset is >= 0, so these cannot collide with one. */
    private static final long UNALLOCATED = -1;
    private static final long ZERO = -2;
    private static final long COMPRESSED = -3;

    private static final VarHandle BE_LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Path path;
    private final FileChannel file;
    private final Path dataPath;
    /** Where guest clusters live: the image itself, or the external data file. */
    private final FileChannel data;
    private final Qcow2Header header;
    private final BlockSource backing;
    private final TranslationContext context;
    private final byte[] identity;
    /** The sizes of the image file and of the data file (the same file without an external one), at open. */
    private final long fileSize;
    private final long dataSize;

    private final long size;
    private final int clusterBits;
    private final int clusterSize;
    private final long clusterMask;
    private final OffHeapDataCache.UnitDecoder clusterDecoder = this::decodeCluster;
    private final boolean extendedL2;
    /** log2 of the bytes per L2 entry: 3, or 4 with extended L2. */
    private final int entryShift;
    /** log2 of the L2 entries per table. */
    private final int l2Bits;
    /** A granule is what one allocation decision covers: a subcluster with extended L2, else a cluster. */
    private final int granuleBits;
    private final long granuleSize;
    private final long granuleMask;
    /** log2 of the granules per cluster: 5 with extended L2, else 0. */
    private final int subclusterBits;
    private final int csizeShift;
    private final long csizeMask;
    private final long coffsetMask;

    private final L2Hint[] hints;
    private final int hintMask;
    private final Object decompressorLock = new Object();
    private volatile Decompressor decompressor;

    /** The L2 table of one L1 index (null: the L1 entry is unallocated). Immutable. */
    private record L2Hint(long l1Index, byte[] table) {
    }

    private Qcow2BlockSource(Path path, FileChannel file, Path dataPath, FileChannel data, Qcow2Header header,
                             BlockSource backing, TranslationContext context, byte[] identity) throws IOException {
        this.path = path;
        this.file = file;
        this.dataPath = dataPath;
        this.data = data;
        this.header = header;
        this.backing = backing;
        this.context = context;
        this.identity = identity;
        this.fileSize = file.size();
        this.dataSize = data.size();
        this.size = header.size;
        this.clusterBits = header.clusterBits;
        this.clusterSize = 1 << clusterBits;
        this.clusterMask = clusterSize - 1L;
        this.extendedL2 = header.extendedL2();
        this.entryShift = extendedL2 ? 4 : 3;
        this.l2Bits = clusterBits - entryShift;
        this.subclusterBits = extendedL2 ? 5 : 0;
        this.granuleBits = clusterBits - subclusterBits;
        this.granuleSize = 1L << granuleBits;
        this.granuleMask = granuleSize - 1;
        this.csizeShift = 62 - (clusterBits - 8);
        this.csizeMask = (1L << (clusterBits - 8)) - 1;
        this.coffsetMask = (1L << csizeShift) - 1;
        int hintCount = Integer.highestOneBit(Math.max(1, Math.min(16, HINT_BYTES / clusterSize)));
        this.hints = new L2Hint[hintCount];
        this.hintMask = hintCount - 1;
    }

    /** Opens {@code path} as qcow2, and its backing chain through {@code chain}. */
    public static Qcow2BlockSource open(Path path, BackingChain chain) throws IOException {
        FileChannel file = FileChannel.open(path, StandardOpenOption.READ);
        FileChannel data = null;
        BlockSource backing = null;
        try {
            Qcow2Header header = Qcow2Header.read(path, file);
            Path dataPath = null;
            data = file;
            if (header.hasDataFile()) {
                Path named = Path.of(header.dataFile);
                dataPath = named.isAbsolute() ? named : path.toAbsolutePath().getParent().resolve(named);
                if (!Files.exists(dataPath)) {
                    throw new ImageFormatException(path, 0, "external data file", "'" + header.dataFile
                            + "' does not exist (looked for " + dataPath + ")");
                }
                data = FileChannel.open(dataPath, StandardOpenOption.READ);
            }
            if (header.backingFile != null) {
                backing = chain.openBacking(path, header.backingFile, formatHint(header.backingFormat));
            }
            byte[] identity = identityOf(path, dataPath, backing);
            return new Qcow2BlockSource(path, file, dataPath, data, header, backing, chain.context(), identity);
        } catch (IOException | RuntimeException e) {
            closeQuietly(e, backing);
            if (data != null && data != file) {
                closeQuietly(e, data);
            }
            closeQuietly(e, file);
            throw e;
        }
    }

    /**
     * The backing format extension holds a qemu driver name, and our format names are
     * qemu's ("vpc" included); a name no reader knows falls back to detection rather than
     * failing the open. A known name is obeyed, as qemu does: a backing file declared raw is
     * read as raw even when its content looks like another format.
     */
    static String formatHint(String qemuName) {
        if (qemuName == null || qemuName.isEmpty()) {
            return null;
        }
        return ImageFormats.byName(qemuName).isPresent() ? qemuName : null;
    }

    private static byte[] identityOf(Path path, Path dataPath, BlockSource backing) throws IOException {
        byte[] own = ImageIdentity.of(path, backing);
        if (dataPath == null) {
            return own;
        }
        BasicFileAttributes attrs = Files.readAttributes(dataPath, BasicFileAttributes.class);
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(own);
            sha.update((dataPath.toRealPath() + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis())
                    .getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    private static void closeQuietly(Throwable primary, AutoCloseable c) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Exception e) {
            primary.addSuppressed(e);
        }
    }

    public Path path() {
        return path;
    }

    /** The backing source, or null. */
    public BlockSource backing() {
        return backing;
    }

    @Override
    public long size() {
        return size;
    }

    // ------------------------------------------------------------------ reading

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int length = dst.remaining();
        if (offset < 0 || offset > size - length) {
            throw new IllegalArgumentException("read of " + length + " bytes at " + offset + " is outside the "
                    + size + "-byte disk");
        }
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long vcluster = pos >>> clusterBits;
            long l1Index = vcluster >>> l2Bits;
            long tableEnd = ((l1Index + 1) << l2Bits) << clusterBits;
            long limit = tableEnd <= 0 ? end : Math.min(end, tableEnd);
            byte[] l2 = l2Table(l1Index, pos);
            if (l2 == null) {
                readUnallocated(pos, (int) (limit - pos), dst);
                pos = limit;
                continue;
            }
            pos = readFromTable(l2, pos, limit, dst);
        }
    }

    /** Serves {@code [pos, limit)}, all within one L2 table, or the part up to a compressed cluster's end. */
    private long readFromTable(byte[] l2, long pos, long limit, ByteBuffer dst) throws IOException {
        int granulesPerTableMask = (1 << (l2Bits + subclusterBits)) - 1;
        int g = (int) ((pos >>> granuleBits) & granulesPerTableMask);
        long first = granule(l2, g, pos);
        if (first == COMPRESSED) {
            long clusterEnd = ((pos >>> clusterBits) + 1) << clusterBits;
            long runLimit = Math.min(clusterEnd, limit);
            readCompressed(entry(l2, g >>> subclusterBits), pos, (int) (runLimit - pos), dst);
            return runLimit;
        }
        long runEnd = ((pos >>> granuleBits) + 1) << granuleBits;
        long expect = first >= 0 ? first + granuleSize : first;
        while (runEnd < limit) {
            g++;
            long next = granule(l2, g, runEnd);
            if (next != expect) {
                break;
            }
            runEnd += granuleSize;
            if (first >= 0) {
                expect += granuleSize;
            }
        }
        long runLimit = Math.min(runEnd, limit);
        int n = (int) (runLimit - pos);
        if (first >= 0) {
            readHost(first + (pos & granuleMask), n, dst, pos);
        } else if (first == ZERO) {
            fillZeros(dst, n);
        } else {
            readUnallocated(pos, n, dst);
        }
        return runLimit;
    }

    /**
     * Classifies granule {@code g} of an L2 table: its host offset in the data file, or
     * {@link #UNALLOCATED}, {@link #ZERO}, {@link #COMPRESSED}.
     */
    private long granule(byte[] l2, int g, long vpos) throws IOException {
        long e = entry(l2, g >>> subclusterBits);
        if ((e & OFLAG_COMPRESSED) != 0) {
            if (data != file) {
                throw corruptL2(vpos, "compressed cluster in an image with an external data file");
            }
            return COMPRESSED;
        }
        long host = e & L2E_OFFSET_MASK;
        if (!extendedL2) {
            if ((e & OFLAG_ZERO) != 0) {
                return ZERO;
            }
            if (host == 0 && !(data != file && (e & OFLAG_COPIED) != 0)) {
                return UNALLOCATED;
            }
            if ((host & clusterMask) != 0) {
                throw corruptL2(vpos, "cluster offset 0x" + Long.toHexString(host) + " is not cluster-aligned");
            }
            if (host >= dataSize) {
                throw pastEnd(vpos, host);
            }
            return host;
        }
        long bitmap = (long) BE_LONG.get(l2, ((g >>> subclusterBits) << entryShift) + 8);
        int sc = g & 31;
        boolean allocated = ((bitmap >>> sc) & 1) != 0;
        boolean zero = ((bitmap >>> (32 + sc)) & 1) != 0;
        if (zero) {
            if (allocated) {
                throw corruptL2(vpos, "subcluster " + sc + " is marked both allocated and zero");
            }
            return ZERO;
        }
        if (!allocated) {
            return UNALLOCATED;
        }
        if (host == 0 && !(data != file && (e & OFLAG_COPIED) != 0)) {
            throw corruptL2(vpos, "subcluster " + sc + " is allocated in a cluster without a host offset");
        }
        if ((host & clusterMask) != 0) {
            throw corruptL2(vpos, "cluster offset 0x" + Long.toHexString(host) + " is not cluster-aligned");
        }
        if (host + ((long) sc << granuleBits) >= dataSize) {
            throw pastEnd(vpos, host + ((long) sc << granuleBits));
        }
        return host + ((long) sc << granuleBits);
    }

    private long entry(byte[] l2, int index) {
        return (long) BE_LONG.get(l2, index << entryShift);
    }

    private void readHost(long hostPos, int n, ByteBuffer dst, long vpos) throws IOException {
        int oldLimit = dst.limit();
        dst.limit(dst.position() + n);
        long at = hostPos;
        try {
            while (dst.hasRemaining()) {
                int r = data.read(dst, at);
                if (r < 0) {
                    // Guest-visible bytes of an allocated cluster must be in the file: it was cut short.
                    throw corrupt(vpos + (at - hostPos), dataPath != null ? dataPath : path, at, "data cluster",
                            "the file ends at " + at + ", inside a cluster the L2 table says is allocated"
                            + " (the file is truncated)");
                }
                at += r;
            }
        } catch (IOException e) {
            throw new MediumException(vpos, "read of " + (dataPath != null ? dataPath : path) + " at " + at
                    + " failed: " + e.getMessage(), e);
        } finally {
            dst.limit(oldLimit);
        }
    }

    /** What this layer does not store: the backing source's bytes while it has them, zeros after. */
    private void readUnallocated(long pos, int n, ByteBuffer dst) throws IOException {
        int fromBacking = 0;
        if (backing != null && pos < backing.size()) {
            fromBacking = (int) Math.min(n, backing.size() - pos);
            int oldLimit = dst.limit();
            dst.limit(dst.position() + fromBacking);
            try {
                backing.read(pos, dst);
            } finally {
                dst.limit(oldLimit);
            }
        }
        fillZeros(dst, n - fromBacking);
    }

    private static void fillZeros(ByteBuffer dst, int n) {
        while (n > 0) {
            int k = Math.min(n, ZEROS.length);
            dst.put(ZEROS, 0, k);
            n -= k;
        }
    }

    /**
     * A read that covers a whole compressed cluster decompresses straight into {@code dst}:
     * no allocation, no cache entry (sequential reads never come back, and qemu keeps none
     * either). A partial read goes through the context's data cache, so that the next small
     * read in the same cluster does not inflate it again.
     */
    private void readCompressed(long entry, long pos, int n, ByteBuffer dst) throws IOException {
        if (n == clusterSize) {
            int oldLimit = dst.limit();
            dst.limit(dst.position() + n);
            try {
                decompress(entry, pos, dst);
            } finally {
                dst.limit(oldLimit);
            }
            return;
        }
        int oldLimit = dst.limit();
        dst.limit(dst.position() + n);
        try {
            // Keyed by the L2 entry: it names the compressed cluster (offset and length) alone.
            context.data(this, entry, clusterSize, clusterDecoder, pos, (int) (pos & clusterMask), dst);
        } finally {
            dst.limit(oldLimit);
        }
    }

    /**
     * The data cache's decoder: a whole cluster. A stream that ends before the cluster does
     * leaves zeros after it (as the zeroed heap array of the earlier cache did), never the
     * bytes a recycled slot held before.
     */
    private int decodeCluster(long entry, long vpos, ByteBuffer out) throws IOException {
        decompress(entry, vpos, out);
        fillZeros(out, out.remaining());
        return clusterSize;
    }

    /**
     * qemu's {@code qcow2_parse_compressed_l2_entry}, then one read of the whole sector run
     * and a decompression that stops when {@code out} (one cluster) is full.
     */
    private void decompress(long entry, long vpos, ByteBuffer out) throws IOException {
        long coffset = entry & coffsetMask;
        long sectors = ((entry >>> csizeShift) & csizeMask) + 1;
        int csize = (int) (sectors * SECTOR - (coffset & (SECTOR - 1)));
        Decompressor d = decompressor();
        Decompressor.Worker worker;
        try {
            worker = d.acquire();
        } catch (LinkageError e) {
            throw new MediumException(vpos, path + ": " + header.compressionName() + "-compressed clusters cannot be"
                    + " read here: the " + header.compressionName() + " library did not load (" + e + ")", e);
        }
        try {
            ByteBuffer in = worker.input(csize);
            long at = coffset;
            try {
                while (in.hasRemaining()) {
                    int r = file.read(in, at);
                    if (r < 0) {
                        break; // the last sector may be short at the end of the file
                    }
                    at += r;
                }
            } catch (IOException e) {
                throw new MediumException(vpos, "read of " + path + " at " + at + " failed: " + e.getMessage(), e);
            }
            in.flip();
            if (!in.hasRemaining()) {
                throw corruptL2(vpos, "compressed cluster at " + coffset + " lies past the end of the file ("
                        + fileSize + " bytes)");
            }
            String problem = worker.decompress(in, out);
            if (problem != null) {
                throw corrupt(vpos, path, coffset, "compressed cluster", problem);
            }
        } finally {
            d.release(worker);
        }
    }

    private Decompressor decompressor() {
        Decompressor d = decompressor;
        if (d != null) {
            return d;
        }
        synchronized (decompressorLock) {
            if (decompressor == null) {
                decompressor = header.compressionType == Qcow2Header.COMPRESSION_ZSTD
                        ? new ZstdDecompressor() : new DeflateDecompressor();
            }
            return decompressor;
        }
    }

    // ------------------------------------------------------------------ tables

    /** The L2 table covering L1 index {@code l1Index}, or null when that L1 entry is unallocated. */
    private byte[] l2Table(long l1Index, long vpos) throws IOException {
        L2Hint hint = hints[(int) l1Index & hintMask];
        if (hint != null && hint.l1Index == l1Index) {
            return hint.table;
        }
        long l2Offset = l2Offset(l1Index, vpos);
        byte[] table = null;
        if (l2Offset != 0) {
            table = context.metadata(this, l2Offset, () -> readTable(l2Offset, clusterSize, vpos));
        }
        hints[(int) l1Index & hintMask] = new L2Hint(l1Index, table);
        return table;
    }

    /** The checked L2 table offset of L1 entry {@code l1Index}: 0 when unallocated, else a whole cluster in the file. */
    private long l2Offset(long l1Index, long vpos) throws IOException {
        long l2Offset = l1Entry(l1Index, vpos) & L1E_OFFSET_MASK;
        if (l2Offset == 0) {
            return 0;
        }
        long entryAt = header.l1Offset + 8 * l1Index;
        if ((l2Offset & clusterMask) != 0) {
            throw corrupt(vpos, path, entryAt, "L1 entry " + l1Index, "L2 table offset 0x" + Long.toHexString(l2Offset)
                    + " is not cluster-aligned");
        }
        if (l2Offset > fileSize - clusterSize) {
            throw corrupt(vpos, path, entryAt, "L1 entry " + l1Index, "the L2 table at " + l2Offset
                    + " runs past the end of the file (" + fileSize + " bytes)");
        }
        return l2Offset;
    }

    /** L1 entry {@code l1Index}; L1 pages are cached under negative positions, apart from L2 tables. */
    private long l1Entry(long l1Index, long vpos) throws IOException {
        if (l1Index >= header.l1Size) {
            return 0;
        }
        long page = l1Index >>> L1_PAGE_SHIFT;
        long pageStart = header.l1Offset + page * L1_PAGE_BYTES;
        int pageLength = (int) Math.min(L1_PAGE_BYTES, header.l1Size * 8 - page * L1_PAGE_BYTES);
        byte[] entries = context.metadata(this, -1 - page, () -> readTable(pageStart, pageLength, vpos));
        return (long) BE_LONG.get(entries, (int) (l1Index & ((1 << L1_PAGE_SHIFT) - 1)) << 3);
    }

    /** Reads a table from the image file; what lies past its end reads as zeros, as in qemu. */
    private byte[] readTable(long at, int length, long vpos) throws IOException {
        byte[] table = new byte[length];
        ByteBuffer buf = ByteBuffer.wrap(table);
        long position = at;
        try {
            while (buf.hasRemaining()) {
                int r = file.read(buf, position);
                if (r < 0) {
                    break;
                }
                position += r;
            }
        } catch (IOException e) {
            throw new MediumException(vpos, "read of " + path + " at " + position + " failed: " + e.getMessage(), e);
        }
        return table;
    }

    /**
     * A read-time structure error: a {@link MediumException} (MEDIUM ERROR for the one read that
     * hits it) whose message and cause, an {@link ImageFormatException}, name file, offset and field.
     */
    private MediumException corrupt(long vpos, Path where, long fileOffset, String field, String problem) {
        ImageFormatException cause = new ImageFormatException(where, fileOffset, field, problem);
        return new MediumException(vpos, cause.getMessage() + " (corrupt qcow2 image, read at virtual offset " + vpos + ")",
                cause);
    }

    /** A bad L2 entry: names the entry's offset in the file. */
    private MediumException corruptL2(long vpos, String problem) throws IOException {
        long l1Index = (vpos >>> clusterBits) >>> l2Bits;
        long index = (vpos >>> clusterBits) & ((1L << l2Bits) - 1);
        long entryAt = (l1Entry(l1Index, vpos) & L1E_OFFSET_MASK) + (index << entryShift);
        return corrupt(vpos, path, entryAt, "L2 entry " + index + " of L1 entry " + l1Index, problem);
    }

    private MediumException pastEnd(long vpos, long host) throws IOException {
        return corruptL2(vpos, "the cluster at " + host + " lies past the end of "
                + (dataPath != null ? "the data file " + dataPath : "the file") + " (" + dataSize + " bytes)");
    }

    // ------------------------------------------------------------------ extents

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("extents of " + length + " bytes at " + offset + " are outside the "
                    + size + "-byte disk");
        }
        Extents own = new Extents();
        long pos = offset;
        long end = offset + length;
        int granulesPerTableMask = (1 << (l2Bits + subclusterBits)) - 1;
        while (pos < end) {
            long l1Index = (pos >>> clusterBits) >>> l2Bits;
            long tableEnd = ((l1Index + 1) << l2Bits) << clusterBits;
            long limit = tableEnd <= 0 ? end : Math.min(end, tableEnd);
            byte[] l2 = l2Table(l1Index, pos);
            if (l2 == null) {
                own.add(pos, limit - pos, Extent.Kind.UNALLOCATED);
                pos = limit;
                continue;
            }
            while (pos < limit) {
                long kind = granule(l2, (int) ((pos >>> granuleBits) & granulesPerTableMask), pos);
                long next = Math.min(limit, ((pos >>> granuleBits) + 1) << granuleBits);
                own.add(pos, next - pos, kind == UNALLOCATED ? Extent.Kind.UNALLOCATED
                        : kind == ZERO ? Extent.Kind.ZERO : Extent.Kind.DATA);
                pos = next;
            }
        }
        return Extents.throughBacking(own.build(), backing);
    }

    // ------------------------------------------------------------------ describing

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public String formatName() {
        return "qcow2";
    }

    /**
     * Header facts plus a walk of every L2 table (read directly, not through the shared cache,
     * so that inspecting a large image does not evict the tables a served LUN is using).
     */
    @Override
    public SourceInfo describe() throws IOException {
        long allocated = 0;
        long zeroBytes = 0;
        long compressedClusters = 0;
        long granulesInDisk = (size + granuleMask) >>> granuleBits;
        long granulesPerTable = 1L << (l2Bits + subclusterBits);
        long tables = Math.min(header.l1Size, (granulesInDisk + granulesPerTable - 1) / granulesPerTable);
        for (long l1Index = 0; l1Index < tables; l1Index++) {
            long vstart = (l1Index << l2Bits) << clusterBits;
            long l2Offset = l2Offset(l1Index, vstart);
            if (l2Offset == 0) {
                continue;
            }
            byte[] l2 = readTable(l2Offset, clusterSize, vstart);
            long count = Math.min(granulesPerTable, granulesInDisk - l1Index * granulesPerTable);
            for (int g = 0; g < count; g++) {
                long vpos = vstart + ((long) g << granuleBits);
                long kind = granule(l2, g, vpos);
                if (kind == COMPRESSED) {
                    // A compressed cluster has no subclusters: count it once, whole.
                    compressedClusters++;
                    allocated += Math.min(clusterSize, size - vpos);
                    g += (1 << subclusterBits) - 1;
                } else if (kind == ZERO) {
                    zeroBytes += Math.min(granuleSize, size - vpos);
                } else if (kind >= 0) {
                    allocated += Math.min(granuleSize, size - vpos);
                }
            }
        }

        Map<String, String> details = new LinkedHashMap<>();
        details.put("version", Integer.toString(header.version));
        if (header.dirty()) {
            details.put("dirty", "yes: refcounts may be stale (harmless for reading)");
        }
        if (extendedL2) {
            details.put("extended L2", "yes: 32 subclusters of " + granuleSize + " bytes");
        }
        if (compressedClusters > 0 || header.compressionType != Qcow2Header.COMPRESSION_DEFLATE) {
            details.put("compression type", header.compressionName());
        }
        if (compressedClusters > 0) {
            details.put("compressed clusters", Long.toString(compressedClusters));
        }
        if (zeroBytes > 0) {
            details.put("zero bytes", Long.toString(zeroBytes));
        }
        if (dataPath != null) {
            details.put("data file", dataPath + (header.dataFileRaw() ? " (raw)" : ""));
        }
        if (header.backingFile != null) {
            details.put("backing file name", header.backingFile);
        }
        if (header.backingFormat != null) {
            details.put("backing format", header.backingFormat);
        }
        if (header.nbSnapshots != 0) {
            details.put("internal snapshots", Integer.toUnsignedString(header.nbSnapshots) + " (the active state is served)");
        }
        return new SourceInfo(path, "qcow2", size, clusterSize,
                compressedClusters > 0 ? header.compressionName() : null,
                allocated, Collections.unmodifiableMap(details),
                backing == null ? null : backing.describe());
    }

    @Override
    public void close() throws IOException {
        Decompressor d = decompressor;
        if (d != null) {
            d.close();
        }
        Closeables.closeAll(Arrays.asList(backing, data != file ? data : null, file));
    }

    @Override
    public String toString() {
        return "qcow2 " + path;
    }

    /** The {@link ImageFormat} entry. */
    private static final class Qcow2Format implements ImageFormat {
        @Override
        public String name() {
            return "qcow2";
        }

        @Override
        public boolean recognizes(FileProbe probe) {
            return probe.headStartsWith(Qcow2Header.MAGIC);
        }

        @Override
        public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
            return Qcow2BlockSource.open(probe.path(), chain);
        }
    }
}
