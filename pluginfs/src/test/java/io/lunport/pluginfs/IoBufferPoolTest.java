package io.lunport.pluginfs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;

class IoBufferPoolTest {

    @Test
    void copiesWholeBuffersWhateverTheLimitAnEarlierRequestLeft() {
        IoBufferPool pool = new IoBufferPool();
        IoBufferPool.IoBuffer io = pool.take();
        io.buffer.clear().limit(512); // as a short read leaves it
        byte[] bytes = new byte[IoBufferPool.BUFFER_SIZE];
        new Random(3).nextBytes(bytes);
        Pointer fuse = Memory.allocateDirect(Runtime.getSystemRuntime(), bytes.length);
        fuse.put(0, bytes, 0, bytes.length);

        fuse.transferTo(0, io.pointer, 0, bytes.length);       // a write request's data
        byte[] seen = new byte[bytes.length];
        io.buffer.clear().get(seen);
        assertThat(seen).isEqualTo(bytes);

        Pointer back = Memory.allocateDirect(Runtime.getSystemRuntime(), bytes.length);
        io.buffer.clear().limit(100);
        back.transferFrom(0, io.pointer, 0, bytes.length);    // a read request's reply
        byte[] replied = new byte[bytes.length];
        back.get(0, replied, 0, replied.length);
        assertThat(replied).isEqualTo(bytes);
    }

    @Test
    void reusesReturnedBuffers() {
        IoBufferPool pool = new IoBufferPool();
        IoBufferPool.IoBuffer first = pool.take();
        pool.give(first);
        assertThat(pool.take()).isSameAs(first);
        assertThat(pool.take()).isNotSameAs(first);
    }
}
