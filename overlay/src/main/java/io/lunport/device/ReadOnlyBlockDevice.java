package io.lunport.device;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ForwardingBlockSource;
import java.nio.ByteBuffer;

/** A {@link BlockSource} served as it is: every write is refused. */
public final class ReadOnlyBlockDevice extends ForwardingBlockSource implements BlockDevice {

    public ReadOnlyBlockDevice(BlockSource source) {
        super(source);
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
}
