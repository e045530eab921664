package io.lunport.device;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/** A {@link BlockSource} served as it is: every write is refused. */
public final class ReadOnlyBlockDevice implements BlockDevice {

    private final BlockSource source;

    public ReadOnlyBlockDevice(BlockSource source) {
        this.source = source;
    }

    @Override
    public boolean isReadOnly() {
        return true;
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) {
        throw new UnsupportedOperationException("read-only device");
    }

    @Override
    public void flush() {
        // Nothing is ever written, so nothing waits to be made durable.
    }

    @Override
    public boolean supportsDeallocate() {
        return false;
    }

    @Override
    public void deallocate(long offset, long length) {
        throw new UnsupportedOperationException("read-only device");
    }

    @Override
    public long size() {
        return source.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        source.read(offset, dst);
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        return source.extents(offset, length);
    }

    @Override
    public byte[] identity() {
        return source.identity();
    }

    @Override
    public String formatName() {
        return source.formatName();
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
