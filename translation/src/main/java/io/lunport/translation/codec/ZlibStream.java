package io.lunport.translation.codec;

import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * Inflating one zlib stream (RFC 1950: deflate data framed by a two-byte header and an
 * Adler-32 trailer) into a buffer whose size the caller knows in advance: a VMDK grain, a
 * compressed cluster. The output never grows past the buffer, so a stream that claims to
 * expand without bound costs nothing.
 *
 * <p>Thread-safe: each thread keeps one {@link Inflater} (about 40 KiB of native state) and
 * resets it per stream, because creating one per grain costs more than inflating a small
 * grain.
 */
public final class ZlibStream {

    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(() -> new Inflater(false));

    private ZlibStream() {
    }

    /**
     * Inflates the zlib stream in {@code src[offset, offset + length)} into {@code dst}.
     * Bytes after the end of the stream are ignored (containers pad to sectors).
     *
     * @return how many bytes the stream produced (at most {@code dst.length})
     * @throws DataFormatException when the stream is corrupt, ends early, or would produce
     *                             more than {@code dst.length} bytes
     */
    public static int inflate(byte[] src, int offset, int length, byte[] dst) throws DataFormatException {
        Inflater inflater = INFLATERS.get();
        inflater.reset();
        inflater.setInput(src, offset, length);
        int produced = 0;
        while (!inflater.finished()) {
            if (produced == dst.length) {
                // Full: the stream either ends right here or wants more room than it may have.
                byte[] probe = new byte[1];
                if (inflater.inflate(probe) > 0) {
                    throw new DataFormatException("stream inflates to more than " + dst.length + " bytes");
                }
                if (inflater.finished()) {
                    break;
                }
            } else {
                int n = inflater.inflate(dst, produced, dst.length - produced);
                produced += n;
                if (n > 0) {
                    continue;
                }
            }
            if (inflater.needsDictionary()) {
                throw new DataFormatException("stream needs a preset dictionary");
            }
            if (inflater.needsInput()) {
                throw new DataFormatException("stream ends after " + length + " input bytes, before its end marker");
            }
        }
        return produced;
    }
}
