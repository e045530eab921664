package io.lunport.translation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A source that hands every call to another one: the base for layers that change only a
 * few methods (a read-only device, a stub pointing at its image), as nbdkit's filters do.
 */
public abstract class ForwardingBlockSource implements BlockSource {

    protected final BlockSource delegate;

    protected ForwardingBlockSource(BlockSource delegate) {
        this.delegate = delegate;
    }

    @Override
    public long size() {
        return delegate.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        delegate.read(offset, dst);
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        return delegate.extents(offset, length);
    }

    @Override
    public byte[] identity() {
        return delegate.identity();
    }

    @Override
    public String formatName() {
        return delegate.formatName();
    }

    @Override
    public SourceInfo describe() throws IOException {
        return delegate.describe();
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
