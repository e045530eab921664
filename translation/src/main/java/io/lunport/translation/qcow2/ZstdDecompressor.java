package io.lunport.translation.qcow2;

import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * compression_type 1: zstd frames, as qemu's {@code qcow2_zstd_decompress} reads them.
 * The input may hold more than one frame (qemu accepts that) followed by the sector's
 * tail: decode frame after frame, each exactly, until the cluster is full, and never look
 * at the tail.
 *
 * <p>This class is the only one that touches zstd-jni, so an image without zstd clusters
 * never loads its native library.
 */
final class ZstdDecompressor implements ClusterDecompressor {

    private final ConcurrentLinkedQueue<ZstdDecompressCtx> pool = new ConcurrentLinkedQueue<>();

    @Override
    public String decompress(byte[] in, int length, byte[] out) {
        ZstdDecompressCtx ctx = pool.poll();
        if (ctx == null) {
            ctx = new ZstdDecompressCtx();
        }
        try {
            int produced = 0;
            int consumed = 0;
            while (produced < out.length) {
                if (consumed >= length) {
                    return "zstd data ended after " + produced + " of " + out.length + " bytes";
                }
                long frame = com.github.luben.zstd.Zstd.findFrameCompressedSize(in, consumed, length - consumed);
                if (frame <= 0 || frame > length - consumed) {
                    return "zstd frame at " + consumed + " has no valid size";
                }
                produced += ctx.decompressByteArray(out, produced, out.length - produced, in, consumed, (int) frame);
                consumed += (int) frame;
            }
            return null;
        } catch (ZstdException e) {
            return "zstd data is corrupt: " + e.getMessage();
        } finally {
            ctx.reset();
            pool.offer(ctx);
        }
    }

    @Override
    public void close() {
        for (ZstdDecompressCtx ctx; (ctx = pool.poll()) != null; ) {
            ctx.close();
        }
    }
}
