package io.lunport.translation.blockmap;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A virtual disk cut into equal blocks, each mapped by a format's table (VHD's and VHDX's
 * BAT) to a run of the file, to zeros, to the parent, or sector by sector to either. This
 * class does the walk that every such format shares: it splits reads and extent queries at
 * block boundaries, asks {@link #map} for each block, and inside a partially present block
 * splits again at the sector bitmap's runs. A subclass only knows its table.
 *
 * <p>Locking contract: {@link #map} must be thread-safe (table pages come from the shared
 * byte-bounded cache); everything here keeps its state on the stack, so reads run
 * concurrently without a lock. {@link #close()} must not race with reads.
 *
 * <p>Memory contract: nothing here grows with the virtual size; the subclass's table pages
 * and bitmaps live in the {@link io.lunport.translation.TranslationContext} caches.
 */
public abstract class BlockMappedSource implements BlockSource {

    private static final byte[] ZEROS = new byte[64 * 1024];

    protected final ImageFile file;
    protected final long size;
    protected final long blockSize;
    /** The granularity of {@link BlockMapping.Partial} bitmaps: one bit per this many bytes. */
    protected final int sectorSize;
    /** The parent layer, or null. */
    protected final BlockSource backing;

    protected BlockMappedSource(ImageFile file, long size, long blockSize, int sectorSize, BlockSource backing) {
        this.file = file;
        this.size = size;
        this.blockSize = blockSize;
        this.sectorSize = sectorSize;
        this.backing = backing;
    }

    /**
     * Where block {@code blockIndex} lives. A stored run must have been checked to lie inside
     * the file; a table entry that is wrong is an {@link ImageFormatException}.
     */
    protected abstract BlockMapping map(long blockIndex) throws IOException;

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        long pos = offset;
        int limit = dst.limit();
        try {
            while (dst.position() < limit) {
                long inBlock = pos % blockSize;
                int n = (int) Math.min(limit - dst.position(), blockSize - inBlock);
                dst.limit(dst.position() + n);
                readBlock(map(pos / blockSize), pos, inBlock, dst);
                pos += n;
            }
        } finally {
            dst.limit(limit);
        }
    }

    private void readBlock(BlockMapping mapping, long pos, long inBlock, ByteBuffer dst) throws IOException {
        if (mapping instanceof BlockMapping.Stored stored) {
            readFile(stored.fileOffset() + inBlock, pos, dst);
        } else if (mapping instanceof BlockMapping.Partial partial) {
            int end = dst.limit();
            long first = inBlock;
            long stop = inBlock + dst.remaining();
            while (first < stop) {
                long sector = first / sectorSize;
                long runEnd = partial.bitmap().runEnd(sector, (stop + sectorSize - 1) / sectorSize);
                long runStop = Math.min(stop, runEnd * sectorSize);
                dst.limit(dst.position() + (int) (runStop - first));
                if (partial.bitmap().present(sector)) {
                    readFile(partial.fileOffset() + first, pos + (first - inBlock), dst);
                } else {
                    readBacking(pos + (first - inBlock), dst);
                }
                dst.limit(end);
                first = runStop;
            }
        } else if (mapping instanceof BlockMapping.Absent) {
            readBacking(pos, dst);
        } else {
            fillZeros(dst);
        }
    }

    private void readFile(long filePosition, long virtualOffset, ByteBuffer dst) throws IOException {
        try {
            file.read(filePosition, dst);
        } catch (IOException e) {
            throw new MediumException(virtualOffset, "read of " + file.path() + " at " + filePosition
                    + " failed: " + e.getMessage(), e);
        }
    }

    /** The parent's bytes, and zeros past the parent's end (or without a parent). */
    private void readBacking(long pos, ByteBuffer dst) throws IOException {
        if (backing != null && pos < backing.size()) {
            int inParent = (int) Math.min(dst.remaining(), backing.size() - pos);
            int end = dst.limit();
            dst.limit(dst.position() + inParent);
            backing.read(pos, dst);
            dst.limit(end);
        }
        fillZeros(dst);
    }

    private static void fillZeros(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        checkRange(offset, length);
        return Extents.throughBacking(ownExtents(offset, length), backing);
    }

    /** What this layer alone says about {@code [offset, offset + length)}. */
    private List<Extent> ownExtents(long offset, long length) throws IOException {
        Extents own = new Extents();
        long pos = offset;
        long end = offset + length;
        while (pos < end) {
            long inBlock = pos % blockSize;
            long n = Math.min(end - pos, blockSize - inBlock);
            BlockMapping mapping = map(pos / blockSize);
            if (mapping instanceof BlockMapping.Stored) {
                own.add(pos, n, Extent.Kind.DATA);
            } else if (mapping instanceof BlockMapping.Zero) {
                own.add(pos, n, Extent.Kind.ZERO);
            } else if (mapping instanceof BlockMapping.Absent) {
                own.add(pos, n, Extent.Kind.UNALLOCATED);
            } else {
                SectorBitmap bitmap = ((BlockMapping.Partial) mapping).bitmap();
                long first = inBlock;
                long stop = inBlock + n;
                while (first < stop) {
                    long sector = first / sectorSize;
                    long runStop = Math.min(stop, bitmap.runEnd(sector, (stop + sectorSize - 1) / sectorSize) * sectorSize);
                    own.add(pos + (first - inBlock), runStop - first,
                            bitmap.present(sector) ? Extent.Kind.DATA : Extent.Kind.UNALLOCATED);
                    first = runStop;
                }
            }
            pos += n;
        }
        return own.build();
    }

    /**
     * Bytes of the virtual disk this layer stores itself (stored blocks and the present
     * sectors of partial ones). Walks the whole table: for {@code inspect}, not the I/O path.
     */
    protected long allocatedBytes() throws IOException {
        long total = 0;
        for (Extent e : ownExtents(0, size)) {
            if (e.kind() == Extent.Kind.DATA) {
                total += e.length();
            }
        }
        return total;
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size - length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside the disk of " + size + " bytes");
        }
    }

    /** Fails unless {@code [fileOffset, fileOffset + length)} lies inside the file. */
    protected final void checkInFile(long fileOffset, long length, long tableOffset, String field) throws ImageFormatException {
        if (fileOffset < 0 || length < 0 || fileOffset > file.size() - length) {
            throw new ImageFormatException(file.path(), tableOffset, field, "points at " + fileOffset + "+" + length
                    + ", past the end of the file (" + file.size() + " bytes)");
        }
    }

    @Override
    public void close() throws IOException {
        try {
            file.close();
        } finally {
            if (backing != null) {
                backing.close();
            }
        }
    }
}
