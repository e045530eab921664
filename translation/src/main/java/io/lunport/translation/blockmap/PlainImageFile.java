package io.lunport.translation.blockmap;

import io.lunport.translation.Closeables;
import io.lunport.translation.Extent;
import io.lunport.translation.FileHoles;
import io.lunport.translation.MediumException;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * An image file read straight through a {@link FileChannel}, whose holes the file system
 * reports ({@link FileHoles}): what {@link ImageFile#open} gives every table-mapped format.
 *
 * <p>The hole finder opens on the first {@link #fileExtents} query, so reads alone cost no
 * second descriptor. Locking: reads take no lock; the finder's creation and close do.
 */
final class PlainImageFile implements ImageFile {

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private FileHoles holes; // guarded by this; null until the first query

    PlainImageFile(Path path, FileChannel channel, long size) {
        this.path = path;
        this.channel = channel;
        this.size = size;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        RawBlockSource.readUpTo(channel, position, dst);
        RawBlockSource.zeroFill(dst);
    }

    @Override
    public void readStored(long position, ByteBuffer dst, long virtualOffset) throws MediumException {
        long end;
        try {
            end = RawBlockSource.readUpTo(channel, position, dst);
        } catch (IOException e) {
            throw MediumException.readFailed(path, position, virtualOffset, e);
        }
        if (dst.hasRemaining()) {
            throw new MediumException(virtualOffset, path + " ends at " + end + " but its table places "
                    + dst.remaining() + " more bytes there (truncated image)");
        }
    }

    @Override
    public synchronized List<Extent> fileExtents(long position, long length) {
        if (holes == null) {
            holes = FileHoles.open(path);
        }
        return holes.extents(position, length);
    }

    @Override
    public synchronized void close() throws IOException {
        Closeables.closeAll(Arrays.asList(channel, holes)); // holes may be null: never queried
    }
}
