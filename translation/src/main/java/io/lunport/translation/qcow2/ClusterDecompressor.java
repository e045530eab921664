package io.lunport.translation.qcow2;

import java.io.Closeable;

/**
 * Inflates one compressed qcow2 cluster. qemu stores a compressed cluster as a run of
 * 512-byte sectors whose last one may also hold the start of the next cluster, so the
 * input is usually longer than the stream: decompression stops as soon as the cluster is
 * full, and is an error only when the stream ends (or breaks) before that.
 *
 * <p>Thread-safe: implementations keep a pool of native contexts, one per concurrent caller.
 * {@link #close()} frees the pool and must not race with {@link #decompress}.
 */
interface ClusterDecompressor extends Closeable {

    /**
     * Fills {@code out} completely from {@code in[0, length)}.
     *
     * @return null on success, otherwise why the data does not decode
     */
    String decompress(byte[] in, int length, byte[] out);

    @Override
    void close();
}
