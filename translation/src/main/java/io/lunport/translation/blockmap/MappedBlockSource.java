package io.lunport.translation.blockmap;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Closeables;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.RawBlockSource;
import io.lunport.translation.SourceInfo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.stream.Stream;

/**
 * The {@link BlockSource} of every table-mapped image (VMDK, VDI, VHD, VHDX): a
 * {@link MappedDisk} that places the bytes as {@link Run}s, the backing source its
 * unallocated runs fall through to, and the files to close. This class does the walk that
 * every such format shares: a read or extent query is cut into the disk's runs; stored runs
 * are read (or decoded) by the disk, zero runs are filled without touching the file, and
 * unallocated runs come from the backing source, or zeros past its end or when there is none.
 * A block partly present by sector bitmap (VHD, VHDX differencing) is simply a sequence of
 * DATA and UNALLOCATED runs (see {@link SectorBitmap#run}).
 *
 * <p>VMDK and VDI use this class as is, with a {@link Description}; VHD and VHDX subclass it
 * to keep their own accessors and override {@link #describe()}.
 *
 * <p>Locking contract: no lock of its own. The walk keeps its state on the stack; reads are
 * positional file reads and lookups in the context's caches (which lock per entry while
 * loading one), so any number of threads read at once. {@link MappedDisk#runAt} must be
 * thread-safe. {@link #close()} must not race with reads.
 *
 * <p>Memory contract: nothing here grows with the virtual size, and the uncompressed read path
 * allocates nothing beyond one {@link Run} per run. What stays resident after open is the
 * headers and one object per extent; tables (grain tables, block maps, BAT pages, sector
 * bitmaps) load on demand into the context's byte-bounded metadata cache (each format's disk
 * class states its table cost per TB), decoded grains into its data cache.
 */
public class MappedBlockSource implements BlockSource {

    /** Builds this layer's {@link SourceInfo}, given the backing layer's. Reads headers only. */
    @FunctionalInterface
    public interface Description {
        SourceInfo describe(SourceInfo backing) throws IOException;
    }

    private final String format;
    private final MappedDisk disk;
    private final BlockSource backing;
    private final List<? extends Closeable> files;
    private final byte[] identity;
    private final Description description;

    /**
     * @param backing  the source unallocated runs read from, or null
     * @param files    closed (after the backing source) by {@link #close()}
     * @param identity see {@link BlockSource#identity()}
     */
    public MappedBlockSource(String format, MappedDisk disk, BlockSource backing, List<? extends Closeable> files,
                             byte[] identity, Description description) {
        this.format = format;
        this.disk = disk;
        this.backing = backing;
        this.files = List.copyOf(files);
        this.identity = identity.clone();
        this.description = description;
    }

    /** For a subclass that overrides {@link #describe()}. */
    protected MappedBlockSource(String format, MappedDisk disk, BlockSource backing, List<? extends Closeable> files,
                                byte[] identity) {
        this(format, disk, backing, files, identity, null);
    }

    @Override
    public long size() {
        return disk.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        long position = offset;
        int limit = dst.limit();
        try {
            while (dst.position() < limit) {
                Run run = disk.runAt(position, limit - dst.position());
                int n = (int) run.length();
                dst.limit(dst.position() + n);
                switch (run.kind()) {
                    case DATA, COMPRESSED -> disk.readStored(run, position, dst);
                    case ZERO -> RawBlockSource.zeroFill(dst);
                    case UNALLOCATED -> readBacking(position, dst, n);
                }
                dst.position(dst.limit());
                dst.limit(limit);
                position += n;
            }
        } finally {
            dst.limit(limit);
        }
    }

    /** The parent's bytes, and zeros past the parent's end (or without a parent). */
    private void readBacking(long position, ByteBuffer dst, int n) throws IOException {
        long inBacking = backing == null ? 0 : Math.max(0, Math.min(n, backing.size() - position));
        if (inBacking > 0) {
            int end = dst.limit();
            dst.limit(dst.position() + (int) inBacking);
            backing.read(position, dst);
            dst.limit(end);
        }
        RawBlockSource.zeroFill(dst);
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        checkRange(offset, length);
        if (length == 0) {
            return List.of();
        }
        return Extents.throughBacking(ownExtents(offset, length), backing);
    }

    /** What this layer alone says about {@code [offset, offset + length)}. */
    private List<Extent> ownExtents(long offset, long length) throws IOException {
        Extents own = new Extents();
        long position = offset;
        long end = offset + length;
        while (position < end) {
            Run run = disk.runAt(position, end - position);
            switch (run.kind()) {
                case DATA -> addStored(own, run);
                case COMPRESSED -> own.add(position, run.length(), Extent.Kind.DATA);
                case ZERO -> own.add(position, run.length(), Extent.Kind.ZERO);
                case UNALLOCATED -> own.add(position, run.length(), Extent.Kind.UNALLOCATED);
            }
            position += run.length();
        }
        return own.build();
    }

    /**
     * A DATA run, less the holes of the file its bytes lie in: the table says the bytes are
     * there, but where the file system stores nothing they read as zeros. That is how a fixed
     * VHD, a fixed VHDX or a flat VMDK, which tools create by truncating a file to size, shows
     * which of its blocks hold data; without it every byte of such a disk would count as data.
     */
    private void addStored(Extents own, Run run) throws IOException {
        ImageFile file = disk.fileOf(run);
        if (file == null) {
            own.add(run.offset(), run.length(), Extent.Kind.DATA);
            return;
        }
        long shift = run.offset() - run.host();
        for (Extent e : file.fileExtents(run.host(), run.length())) {
            own.add(e.offset() + shift, e.length(), e.kind() == Extent.Kind.DATA ? Extent.Kind.DATA : Extent.Kind.ZERO);
        }
    }

    /**
     * Bytes of the virtual disk this layer stores itself (stored runs, including the present
     * sectors of partial blocks). Walks the whole table: for {@code inspect}, not the I/O path.
     */
    protected long allocatedBytes() throws IOException {
        long total = 0;
        for (Extent e : ownExtents(0, size())) {
            if (e.kind() == Extent.Kind.DATA) {
                total += e.length();
            }
        }
        return total;
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > disk.size() - length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside a disk of " + disk.size() + " bytes");
        }
    }

    /** The source unallocated runs read from, or null. */
    public BlockSource backing() {
        return backing;
    }

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public String formatName() {
        return format;
    }

    @Override
    public SourceInfo describe() throws IOException {
        return description.describe(backing == null ? null : backing.describe());
    }

    @Override
    public void close() throws IOException {
        Closeables.closeAll(Stream.concat(Stream.of(backing), files.stream()).toList());
    }
}
