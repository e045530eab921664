package io.lunport.translation.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The zlib rules of a VMDK grain, against streams made by the JDK's own Deflater. */
class ZlibDecompressorTest {

    private final ZlibDecompressor decompressor = new ZlibDecompressor();

    @AfterEach
    void close() {
        decompressor.close();
    }

    private static byte[] grain(int length, long seed) {
        byte[] b = new byte[length];
        Random r = new Random(seed);
        for (int i = 0; i < length; i += 16) {
            b[i] = (byte) r.nextInt(4); // compressible, not trivially
        }
        return b;
    }

    private static byte[] zlib(byte[] data) {
        Deflater d = new Deflater();
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length + 1024];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    /** Decodes {@code stream} followed by {@code padding} zero bytes into {@code out}. */
    private String decode(byte[] stream, int padding, ByteBuffer out) {
        Decompressor.Worker w = decompressor.acquire();
        try {
            ByteBuffer in = w.input(stream.length + padding);
            in.put(stream).put(new byte[padding]).flip();
            return w.decompress(in, out);
        } finally {
            decompressor.release(w);
        }
    }

    @Test
    void wholeGrainIntoDirectAndHeapBuffersIgnoringSectorPadding() {
        byte[] data = grain(65536, 1);
        byte[] stream = zlib(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(65536);
        assertThat(decode(stream, 500, direct)).isNull();
        assertThat(direct.position()).isEqualTo(65536);
        byte[] got = new byte[65536];
        direct.flip().get(got);
        assertThat(got).isEqualTo(data);

        ByteBuffer heap = ByteBuffer.allocate(65536);
        assertThat(decode(stream, 0, heap)).isNull();
        assertThat(heap.array()).isEqualTo(data);
    }

    @Test
    void aShortStreamSaysHowMuchItProduced() {
        byte[] data = grain(1000, 2);
        ByteBuffer out = ByteBuffer.allocate(65536);
        assertThat(decode(zlib(data), 0, out)).isNull();
        assertThat(out.position()).isEqualTo(1000);
    }

    @Test
    void aStreamLongerThanTheBufferIsRefusedAndTheWorkerStaysUsable() {
        byte[] stream = zlib(grain(65537, 3));
        assertThat(decode(stream, 0, ByteBuffer.allocate(65536))).contains("more than 65536");
        byte[] data = grain(4096, 4);
        ByteBuffer out = ByteBuffer.allocate(4096);
        assertThat(decode(zlib(data), 0, out)).isNull();
        assertThat(out.array()).isEqualTo(data);
    }

    @Test
    void aCutOffOrCorruptStreamIsRefused() {
        byte[] stream = zlib(grain(65536, 5));
        assertThat(decode(Arrays.copyOf(stream, stream.length / 2), 0, ByteBuffer.allocate(65536)))
                .contains("before its end marker");
        byte[] corrupt = stream.clone();
        corrupt[2] = (byte) 0xff;
        corrupt[3] = (byte) 0xff;
        assertThat(decode(corrupt, 0, ByteBuffer.allocate(65536))).isNotNull();
    }
}
