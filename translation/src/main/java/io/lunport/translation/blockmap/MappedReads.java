package io.lunport.translation.blockmap;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Reads and extents of a {@link MappedDisk} in a chain: a read is cut into the disk's runs;
 * stored runs are read (or decoded) by the disk, zero runs are filled without touching the
 * file, and unallocated runs come from the backing source, or zeros past its end or when
 * there is none.
 */
public final class MappedReads {

    private MappedReads() {
    }

    public static void read(MappedDisk disk, long offset, ByteBuffer dst, BlockSource backing) throws IOException {
        long position = offset;
        int limit = dst.limit();
        try {
            while (dst.position() < limit) {
                Run run = disk.runAt(position, limit - dst.position());
                int n = (int) run.length();
                dst.limit(dst.position() + n);
                switch (run.kind()) {
                    case DATA, COMPRESSED -> disk.readStored(run, position, dst);
                    case ZERO -> StoredBytes.putZeros(dst, n);
                    case UNALLOCATED -> readBacking(backing, position, dst, n);
                }
                dst.position(dst.limit());
                dst.limit(limit);
                position += n;
            }
        } finally {
            dst.limit(limit);
        }
    }

    private static void readBacking(BlockSource backing, long position, ByteBuffer dst, int n) throws IOException {
        long inBacking = backing == null ? 0 : Math.max(0, Math.min(n, backing.size() - position));
        if (inBacking > 0) {
            int end = dst.limit();
            dst.limit(dst.position() + (int) inBacking);
            backing.read(position, dst);
            dst.limit(end);
        }
        StoredBytes.putZeros(dst, n - inBacking);
    }

    /** The runs of {@code [offset, offset + length)}, with unallocated runs filled from the backing source. */
    public static List<Extent> extents(MappedDisk disk, long offset, long length, BlockSource backing) throws IOException {
        Extents own = new Extents();
        long position = offset;
        long end = offset + length;
        while (position < end) {
            Run run = disk.runAt(position, end - position);
            Extent.Kind kind = switch (run.kind()) {
                case DATA, COMPRESSED -> Extent.Kind.DATA;
                case ZERO -> Extent.Kind.ZERO;
                case UNALLOCATED -> Extent.Kind.UNALLOCATED;
            };
            own.add(position, run.length(), kind);
            position += run.length();
        }
        return Extents.throughBacking(own.build(), backing);
    }
}
