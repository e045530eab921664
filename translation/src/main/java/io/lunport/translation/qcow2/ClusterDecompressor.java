package io.lunport.translation.qcow2;

import java.io.Closeable;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Inflates compressed qcow2 clusters. qemu stores a compressed cluster as a run of 512-byte
 * sectors whose last one may also hold the start of the next cluster (or end early at the
 * end of the file), so the input is usually longer than the stream: decompression stops as
 * soon as the cluster is full, and is an error only when the stream ends or breaks before.
 *
 * <p>Work is done by pooled {@link Worker}s, each owning a native context and a direct input
 * buffer that the compressed bytes are read into (a positional read into a heap buffer would
 * go through a JDK temporary direct buffer and a copy). The pool holds one worker per
 * concurrent caller at most: memory is about two clusters per worker.
 *
 * <p>Thread-safe. {@link #close()} frees the pooled workers and must not race with use.
 */
abstract class ClusterDecompressor implements Closeable {

    private final ConcurrentLinkedQueue<Worker> pool = new ConcurrentLinkedQueue<>();

    /** One decompression context and its input buffer; used by one thread at a time. */
    abstract static class Worker {
        private ByteBuffer input = ByteBuffer.allocateDirect(0);

        /** The input buffer, cleared, with room for {@code length} bytes and its limit there. */
        final ByteBuffer input(int length) {
            if (input.capacity() < length) {
                input = ByteBuffer.allocateDirect(Math.max(length, input.capacity() * 2));
            }
            return input.clear().limit(length);
        }

        /**
         * Fills {@code out} from its position to its limit (a heap or direct buffer) with the
         * stream that starts at {@code in}'s position (a direct buffer, up to its limit).
         *
         * @return null on success, otherwise why the data does not decode
         */
        abstract String decompress(ByteBuffer in, ByteBuffer out);

        /** Frees the native context. */
        abstract void free();
    }

    abstract Worker newWorker();

    final Worker acquire() {
        Worker w = pool.poll();
        return w != null ? w : newWorker();
    }

    final void release(Worker w) {
        pool.offer(w);
    }

    @Override
    public final void close() {
        for (Worker w; (w = pool.poll()) != null; ) {
            w.free();
        }
    }
}
