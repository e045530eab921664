package io.lunport.device;

import io.lunport.translation.ForwardingBlockSource;
import io.lunport.translation.MediumException;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A raw file written in place (`--direct`): the scratch LUN for load tests, and the one
 * case where lunport changes an image. Reads go through the same {@link RawBlockSource}.
 */
public final class DirectFileBlockDevice extends ForwardingBlockSource implements BlockDevice {

    private final FileChannel writer;
    private final Path path;

    private DirectFileBlockDevice(RawBlockSource source, FileChannel writer, Path path) {
        super(source);
        this.writer = writer;
        this.path = path;
    }

    public static DirectFileBlockDevice open(Path path) throws IOException {
        RawBlockSource source = RawBlockSource.open(path);
        try {
            return new DirectFileBlockDevice(source, FileChannel.open(path, StandardOpenOption.WRITE), path);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    @Override
    public boolean isReadOnly() {
        return false;
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
        long position = offset;
        try {
            while (src.hasRemaining()) {
                position += writer.write(src, position);
            }
            if (forceUnitAccess) {
                writer.force(false);
            }
        } catch (IOException e) {
            throw new MediumException(position, "write of " + path + " at " + position + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public void flush() throws IOException {
        try {
            writer.force(false);
        } catch (IOException e) {
            throw new MediumException(0, "flush of " + path + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean supportsDeallocate() {
        // Java cannot punch holes; zero-filling would not release space, so UNMAP is not offered.
        return false;
    }

    @Override
    public void deallocate(long offset, long length) {
        throw new UnsupportedOperationException("deallocation needs the overlay");
    }

    @Override
    public void close() throws IOException {
        try {
            writer.close();
        } finally {
            super.close();
        }
    }
}
