package io.lunport.translation.blockmap;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.SourceInfo;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The {@link BlockSource} of a table-mapped image (VMDK, VDI): a {@link MappedDisk} that
 * places the bytes, the backing source its unallocated runs fall through to, and the files
 * to close.
 *
 * <p>Locking contract: no lock of its own. Reads are positional {@code FileChannel} reads and
 * lookups in the context's caches (which lock per entry while loading one), so any number of
 * threads read at once; {@link #close()} must not race with reads.
 *
 * <p>Memory contract: what stays resident after open is the headers and one object per
 * extent; tables load on demand into the context's byte-bounded caches (each format's disk
 * class states its table cost per TB), decoded grains into the data cache.
 */
public final class MappedBlockSource implements BlockSource {

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

    @Override
    public long size() {
        return disk.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        MappedReads.read(disk, offset, dst, backing);
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        checkRange(offset, length);
        if (length == 0) {
            return List.of();
        }
        return MappedReads.extents(disk, offset, length, backing);
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
        IOException failure = null;
        if (backing != null) {
            try {
                backing.close();
            } catch (IOException e) {
                failure = e;
            }
        }
        for (Closeable file : files) {
            try {
                file.close();
            } catch (IOException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
