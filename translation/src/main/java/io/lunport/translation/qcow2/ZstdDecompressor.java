package io.lunport.translation.qcow2;

import com.github.luben.zstd.Zstd;
import com.github.luben.zstd.ZstdDecompressCtx;
import com.github.luben.zstd.ZstdException;
import io.lunport.translation.codec.Decompressor;
import java.nio.ByteBuffer;

/**
 * compression_type 1: zstd frames, as qemu's {@code qcow2_zstd_decompress} reads them.
 * The input may hold more than one frame (qemu accepts that) followed by the sector's
 * tail: decode frame after frame, each exactly, until the cluster is full, and never look
 * at the tail.
 *
 * <p>This class is the only one that touches zstd-jni, so an image without zstd clusters
 * never loads its native library.
 */
final class ZstdDecompressor extends Decompressor {

    @Override
    protected Worker newWorker() {
        return new Worker() {
            private final ZstdDecompressCtx ctx = new ZstdDecompressCtx();

            @Override
            public String decompress(ByteBuffer in, ByteBuffer out) {
                int start = in.position();
                int wanted = out.remaining();
                try {
                    while (out.hasRemaining()) {
                        if (!in.hasRemaining()) {
                            return "zstd data ended after " + (wanted - out.remaining()) + " of " + wanted + " bytes";
                        }
                        long frame = Zstd.findFrameCompressedSize(in);
                        if (frame <= 0 || frame > in.remaining()) {
                            return "zstd frame at +" + (in.position() - start) + " has no valid size";
                        }
                        int n = out.isDirect()
                                ? ctx.decompressDirectByteBuffer(out, out.position(), out.remaining(),
                                        in, in.position(), (int) frame)
                                : ctx.decompressDirectByteBufferToByteArray(out.array(), out.arrayOffset() + out.position(),
                                        out.remaining(), in, in.position(), (int) frame);
                        out.position(out.position() + n);
                        in.position(in.position() + (int) frame);
                    }
                    return null;
                } catch (ZstdException e) {
                    return "zstd data is corrupt: " + e.getMessage();
                }
            }

            @Override
            protected void free() {
                ctx.close();
            }
        };
    }
}
