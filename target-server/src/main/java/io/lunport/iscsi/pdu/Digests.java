package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C header and data digests (RFC 7143 section 12.1). The JDK's CRC32C is
 * hardware-accelerated; the digest travels least significant byte first, as every
 * initiator sends it.
 */
public final class Digests {

    public static final int LENGTH = 4;

    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private Digests() {
    }

    /** CRC32C of {@code length} bytes of {@code buf} from absolute {@code index}. */
    public static int crc32c(ByteBuf buf, int index, int length) {
        CRC32C crc = CRC.get();
        crc.reset();
        update(crc, buf, index, length);
        return (int) crc.getValue();
    }

    /** CRC32C over a data segment followed by its zero padding. */
    public static int crc32cPadded(ByteBuf buf, int index, int length) {
        CRC32C crc = CRC.get();
        crc.reset();
        update(crc, buf, index, length);
        int pad = PduFrameDecoder.padding(length);
        for (int i = 0; i < pad; i++) {
            crc.update(0);
        }
        return (int) crc.getValue();
    }

    private static void update(CRC32C crc, ByteBuf buf, int index, int length) {
        if (length == 0) {
            return;
        }
        if (buf.nioBufferCount() == 1) {
            ByteBuffer nio = buf.internalNioBuffer(index, length);
            crc.update(nio);
        } else {
            for (ByteBuffer nio : buf.nioBuffers(index, length)) {
                crc.update(nio);
            }
        }
    }
}
