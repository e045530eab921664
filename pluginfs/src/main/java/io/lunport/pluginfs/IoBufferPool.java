package io.lunport.pluginfs;

import java.nio.ByteBuffer;
import com.kenai.jffi.MemoryIO;
import java.util.concurrent.atomic.AtomicReferenceArray;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * Direct buffers for the FUSE requests in flight, each with the native pointer to its memory
 * (so a request is one memcpy between libfuse's buffer and ours). Taken and returned per
 * request, without allocating: a fixed array of slots claimed by compare-and-set.
 *
 * <p>Why not one buffer per thread: libfuse 2 starts and ends worker threads all the time (it
 * keeps at most 10 idle), so a thread-local buffer would be a fresh allocation for nearly
 * every request.
 *
 * <p>Memory: {@value #SLOTS} buffers of {@value #BUFFER_SIZE} bytes at most are kept (8 MiB);
 * more requests in flight than that get buffers that are dropped afterwards.
 */
final class IoBufferPool {

    /** libfuse 2 hands at most 128 KiB per read or write; longer requests are done in pieces. */
    static final int BUFFER_SIZE = 128 << 10;
    private static final int SLOTS = 64;

    /**
     * A direct buffer and a native pointer to its memory. The pointer is made from the address,
     * not with {@code Pointer.wrap(runtime, buffer)}, whose pointer goes through the buffer and
     * its current limit; this one copies with memcpy whatever the buffer's position and limit.
     */
    static final class IoBuffer {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_SIZE);
        final Pointer pointer = Pointer.wrap(Runtime.getSystemRuntime(),
                MemoryIO.getInstance().getDirectBufferAddress(buffer), BUFFER_SIZE);
    }

    private final AtomicReferenceArray<IoBuffer> slots = new AtomicReferenceArray<>(SLOTS);

    IoBuffer take() {
        for (int i = 0; i < SLOTS; i++) {
            IoBuffer io = slots.get(i);
            if (io != null && slots.compareAndSet(i, io, null)) {
                return io;
            }
        }
        return new IoBuffer();
    }

    void give(IoBuffer io) {
        for (int i = 0; i < SLOTS; i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, io)) {
                return;
            }
        }
    }
}
