package io.lunport.translation.qcow2;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * compression_type 0: raw deflate (RFC 1951, no zlib header), as qemu's
 * {@code qcow2_zlib_decompress} writes it. Like qemu, success means the cluster is full,
 * whether or not the stream's end marker was reached within the input.
 */
final class DeflateDecompressor implements ClusterDecompressor {

    /** Inflaters hold native memory (a 32 KiB window): reuse them instead of one per cluster. */
    private final ConcurrentLinkedQueue<Inflater> pool = new ConcurrentLinkedQueue<>();

    @Override
    public String decompress(byte[] in, int length, byte[] out) {
        Inflater inflater = pool.poll();
        if (inflater == null) {
            inflater = new Inflater(true);
        }
        try {
            inflater.setInput(in, 0, length);
            int produced = 0;
            while (produced < out.length) {
                int n = inflater.inflate(out, produced, out.length - produced);
                produced += n;
                if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                    break;
                }
            }
            if (produced < out.length) {
                return "deflate stream " + (inflater.finished() ? "ended" : "was cut off") + " after " + produced
                        + " of " + out.length + " bytes";
            }
            return null;
        } catch (DataFormatException e) {
            return "deflate data is corrupt: " + e.getMessage();
        } finally {
            inflater.reset();
            pool.offer(inflater);
        }
    }

    @Override
    public void close() {
        for (Inflater inflater; (inflater = pool.poll()) != null; ) {
            inflater.end();
        }
    }
}
