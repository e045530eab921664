package io.lunport.translation.qcow2;

import io.lunport.translation.codec.Decompressor;
import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * compression_type 0: raw deflate (RFC 1951, no zlib header), as qemu's
 * {@code qcow2_zlib_decompress} writes it. Like qemu, success means the cluster is full,
 * whether or not the stream's end marker was reached within the input.
 */
final class DeflateDecompressor extends Decompressor {

    @Override
    protected Worker newWorker() {
        return new Worker() {
            private final Inflater inflater = new Inflater(true);

            @Override
            public String decompress(ByteBuffer in, ByteBuffer out) {
                try {
                    inflater.setInput(in);
                    int wanted = out.remaining();
                    while (out.hasRemaining()) {
                        int n = inflater.inflate(out);
                        if (n == 0 && (inflater.finished() || inflater.needsInput() || inflater.needsDictionary())) {
                            break;
                        }
                    }
                    if (out.hasRemaining()) {
                        return "deflate stream " + (inflater.finished() ? "ended" : "was cut off") + " after "
                                + (wanted - out.remaining()) + " of " + wanted + " bytes";
                    }
                    return null;
                } catch (DataFormatException e) {
                    return "deflate data is corrupt: " + e.getMessage();
                } finally {
                    inflater.reset();
                }
            }

            @Override
            protected void free() {
                inflater.end();
            }
        };
    }
}
