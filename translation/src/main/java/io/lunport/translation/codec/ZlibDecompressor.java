package io.lunport.translation.codec;

import java.nio.ByteBuffer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * One zlib stream (RFC 1950: deflate data framed by a two-byte header and an Adler-32
 * trailer) per unit, as VMDK stores a compressed grain and as qemu's {@code uncompress()}
 * reads it: the stream must reach its end marker within the output buffer. Bytes after the
 * end of the stream are ignored (containers pad to sectors). A stream that ends before the
 * buffer is full is not an error here: {@code out}'s position says how much it produced,
 * and the reader decides whether that is enough.
 */
public final class ZlibDecompressor extends Decompressor {

    @Override
    protected Worker newWorker() {
        return new Worker() {
            private final Inflater inflater = new Inflater(false);
            /** Where a full output buffer looks for one more byte (which must not come). */
            private final ByteBuffer probe = ByteBuffer.allocateDirect(1);

            @Override
            public String decompress(ByteBuffer in, ByteBuffer out) {
                int start = out.position();
                int inputLength = in.remaining();
                try {
                    inflater.setInput(in);
                    while (!inflater.finished()) {
                        boolean full = !out.hasRemaining();
                        int n = inflater.inflate(full ? probe.clear() : out);
                        if (n > 0 && full) {
                            return "stream inflates to more than " + (out.position() - start) + " bytes";
                        }
                        if (n > 0 || inflater.finished()) {
                            continue;
                        }
                        if (inflater.needsDictionary()) {
                            return "stream needs a preset dictionary";
                        }
                        if (inflater.needsInput()) {
                            return "stream ends after " + inputLength + " input bytes, before its end marker";
                        }
                    }
                    return null;
                } catch (DataFormatException e) {
                    return e.getMessage();
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
