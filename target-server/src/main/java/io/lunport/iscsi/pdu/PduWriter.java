package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * Writes target PDUs to one connection: header, header digest, data, padding and data
 * digest, with the data segment passed through as it is (a slice of a read buffer goes out
 * without a copy). Used on the channel's event loop only.
 */
public final class PduWriter {

    private static final ByteBuf ZEROS = Unpooled.unreleasableBuffer(Unpooled.directBuffer(4).writeZero(4));

    private final Channel channel;
    private boolean headerDigest;
    private boolean dataDigest;

    public PduWriter(Channel channel) {
        this.channel = channel;
    }

    /** Digests apply from the first PDU after the final login response. */
    public void useDigests(boolean headerDigest, boolean dataDigest) {
        this.headerDigest = headerDigest;
        this.dataDigest = dataDigest;
    }

    /** A zeroed 48-byte header with the opcode in byte 0, with room for its digest. */
    public ByteBuf newHeader(int opcode) {
        ByteBuf header = channel.alloc().directBuffer(Pdu.BHS_LENGTH + Digests.LENGTH);
        header.writeZero(Pdu.BHS_LENGTH);
        header.setByte(0, opcode);
        return header;
    }

    /**
     * Sends a header and its data segment (may be null), taking ownership of both. Sets the
     * DataSegmentLength field. Flushes only when asked, so that a run of Data-In PDUs goes
     * out in one system call.
     */
    public void send(ByteBuf header, ByteBuf data, boolean flush) {
        int dataLength = data == null ? 0 : data.readableBytes();
        header.setMedium(5, dataLength);
        if (headerDigest) {
            header.writeIntLE(Digests.crc32c(header, 0, Pdu.BHS_LENGTH));
        }
        channel.write(header, channel.voidPromise());
        if (dataLength > 0) {
            int pad = PduFrameDecoder.padding(dataLength);
            int digest = dataDigest ? Digests.crc32cPadded(data, data.readerIndex(), dataLength) : 0;
            channel.write(data, channel.voidPromise());
            if (dataDigest) {
                ByteBuf trailer = channel.alloc().directBuffer(pad + Digests.LENGTH);
                trailer.writeZero(pad).writeIntLE(digest);
                channel.write(trailer, channel.voidPromise());
            } else if (pad > 0) {
                channel.write(ZEROS.slice(0, pad), channel.voidPromise());
            }
        } else if (data != null) {
            data.release();
        }
        if (flush) {
            channel.flush();
        }
    }

    public void flush() {
        channel.flush();
    }
}
