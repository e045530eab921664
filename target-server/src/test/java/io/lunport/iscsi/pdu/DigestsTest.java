package io.lunport.iscsi.pdu;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

/**
 * CRC32C against the iSCSI examples of RFC 3720 appendix B.4, which give the digest as the
 * bytes that travel: the CRC value least significant byte first.
 */
class DigestsTest {

    private static ByteBuf of(byte[] bytes) {
        return Unpooled.wrappedBuffer(bytes);
    }

    private static byte[] filled(int value) {
        byte[] bytes = new byte[32];
        java.util.Arrays.fill(bytes, (byte) value);
        return bytes;
    }

    private static byte[] ascending() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < 32; i++) {
            bytes[i] = (byte) i;
        }
        return bytes;
    }

    /** The four bytes the wire carries for {@code crc}, as PduWriter and PduFrameDecoder write and read them. */
    private static String wire(int crc) {
        return ByteBufUtil.hexDump(Unpooled.buffer(4).writeIntLE(crc));
    }

    @Test
    void publishedVectorsInWireOrder() {
        assertThat(wire(Digests.crc32c(of(new byte[32]), 0, 32))).isEqualTo("aa36918a");
        assertThat(wire(Digests.crc32c(of(filled(0xFF)), 0, 32))).isEqualTo("43aba862");
        assertThat(wire(Digests.crc32c(of(ascending()), 0, 32))).isEqualTo("4e79dd46");
    }

    @Test
    void valueIsTheConventionalCrc32c() {
        // The same vector as a number: the wire order above is this value little-endian.
        assertThat(Digests.crc32c(of(new byte[32]), 0, 32)).isEqualTo(0x8A9136AA);
    }

    @Test
    void honoursIndexAndWorksOnCompositeAndDirectBuffers() {
        ByteBuf shifted = Unpooled.buffer(40).writeZero(5).writeBytes(ascending()).writeZero(3);
        assertThat(wire(Digests.crc32c(shifted, 5, 32))).isEqualTo("4e79dd46");

        CompositeByteBuf composite = Unpooled.compositeBuffer();
        byte[] all = ascending();
        composite.addComponent(true, Unpooled.wrappedBuffer(all, 0, 7));
        composite.addComponent(true, Unpooled.directBuffer(25).writeBytes(all, 7, 25));
        assertThat(wire(Digests.crc32c(composite, 0, 32))).isEqualTo("4e79dd46");
        composite.release();
    }

    @Test
    void paddedDigestCoversTheZeroPadding() {
        ByteBuf five = of(new byte[] {1, 2, 3, 4, 5});
        ByteBuf eight = of(new byte[] {1, 2, 3, 4, 5, 0, 0, 0});
        assertThat(Digests.crc32cPadded(five, 0, 5)).isEqualTo(Digests.crc32c(eight, 0, 8));
        assertThat(Digests.crc32cPadded(of(new byte[0]), 0, 0)).isEqualTo(Digests.crc32c(of(new byte[0]), 0, 0));
    }
}
