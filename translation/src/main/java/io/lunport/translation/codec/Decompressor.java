package io.lunport.translation.codec;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Decodes compressed units of an image (qcow2 clusters, VMDK grains) into a buffer whose
 * size the reader knows in advance: the output never grows past it, so a stream that claims
 * to expand without bound costs nothing. Each subclass keeps one format's rules for where a
 * stream ends and what counts as success.
 *
 * <p>Work is done by pooled {@link Worker}s, each owning a native context and a direct input
 * buffer that the compressed bytes are read into (a positional read into a heap buffer would
 * go through a JDK temporary direct buffer and a copy), so decoding a unit allocates nothing.
 * The pool holds one worker per concurrent caller at most: memory is about two units per
 * worker.
 *
 * <p>Thread-safe. {@link #close()} frees the pooled workers and must not race with use.
 */
public abstract class Decompressor implements Closeable {

    private final ConcurrentLinkedQueue<Worker> pool = new ConcurrentLinkedQueue<>();

    /** One decompression context and its input buffer; used by one thread at a time. */
    public abstract static class Worker {
        private ByteBuffer input = ByteBuffer.allocateDirect(0);

        /** The input buffer, cleared, with room for {@code length} bytes and its limit there. */
        public final ByteBuffer input(int length) {
            if (input.capacity() < length) {
                input = ByteBuffer.allocateDirect(Math.max(length, input.capacity() * 2));
            }
            return input.clear().limit(length);
        }

        /**
         * Fills {@code out} from its position toward its limit (a heap or direct buffer) with
         * the stream that starts at {@code in}'s position (a direct buffer, up to its limit).
         *
         * @return null on success, otherwise why the data does not decode
         */
        public abstract String decompress(ByteBuffer in, ByteBuffer out);

        /** Frees the native context. */
        protected abstract void free();
    }

    protected abstract Worker newWorker();

    /** A worker for this thread's use until {@link #release}; a new one when none is idle. */
    public final Worker acquire() {
        Worker w = pool.poll();
        return w != null ? w : newWorker();
    }

    public final void release(Worker w) {
        pool.offer(w);
    }

    @Override
    public final void close() {
        for (Worker w; (w = pool.poll()) != null; ) {
            w.free();
        }
    }
}
