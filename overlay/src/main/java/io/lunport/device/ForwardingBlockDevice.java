package io.lunport.device;

import io.lunport.translation.ForwardingBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A device that hands every call to another device; subclasses change what they need. */
public abstract class ForwardingBlockDevice extends ForwardingBlockSource implements BlockDevice {

    private final BlockDevice device;

    protected ForwardingBlockDevice(BlockDevice device) {
        super(device);
        this.device = device;
    }

    @Override
    public boolean isReadOnly() {
        return device.isReadOnly();
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
        device.write(offset, src, forceUnitAccess);
    }

    @Override
    public void flush() throws IOException {
        device.flush();
    }

    @Override
    public boolean supportsDeallocate() {
        return device.supportsDeallocate();
    }

    @Override
    public void deallocate(long offset, long length) throws IOException {
        device.deallocate(offset, length);
    }
}
