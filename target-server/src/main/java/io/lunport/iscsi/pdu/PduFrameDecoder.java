package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;

/**
 * Frames the byte stream into {@link Pdu}s: basic header, additional header segments
 * (skipped: lunport takes no extended CDBs), header digest, data segment, padding, data
 * digest. It only frames and checks; what a PDU means is the connection handler's business.
 * Every PDU is passed in the same reused view, valid during the next handler's
 * {@code channelRead} only: framing allocates nothing.
 *
 * <p>The data segment length is checked against the limit in force before a single byte of
 * the segment is buffered, so a peer cannot make the target allocate what it claims.
 */
public final class PduFrameDecoder extends ByteToMessageDecoder {

    /** RFC 7143: during login every PDU's data segment is at most 8192 bytes. */
    public static final int LOGIN_MAX_DATA_SEGMENT_LENGTH = 8192;

    private int maxDataSegmentLength = LOGIN_MAX_DATA_SEGMENT_LENGTH;
    private boolean headerDigest;
    private boolean dataDigest;
    /** Every PDU of the connection, one after the other (see {@link Pdu}). */
    private final Pdu view = Pdu.newView();
    /** After a refusal the stream has no trustworthy PDU boundary: everything else is dropped. */
    private boolean failed;

    /**
     * Applies the outcome of login to every PDU after the final login response. Called on
     * the channel's event loop, between two decoded PDUs.
     */
    public void startFullFeaturePhase(int maxDataSegmentLength, boolean headerDigest, boolean dataDigest) {
        this.maxDataSegmentLength = maxDataSegmentLength;
        this.headerDigest = headerDigest;
        this.dataDigest = dataDigest;
    }

    public static int padding(int length) {
        return (4 - (length & 3)) & 3;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) throws PduException {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        try {
            frame(in, out);
        } catch (PduException e) {
            // Without this, the same bytes would be refused again on every read and at close.
            failed = true;
            in.skipBytes(in.readableBytes());
            throw e;
        }
    }

    private void frame(ByteBuf in, List<Object> out) throws PduException {
        if (in.readableBytes() < Pdu.BHS_LENGTH) {
            return;
        }
        int start = in.readerIndex();
        int ahsLength = (in.getByte(start + 4) & 0xFF) * 4;
        int dataLength = in.getMedium(start + 5);
        if (dataLength > maxDataSegmentLength) {
            throw new PduException(PduException.Kind.LENGTH, in.retainedSlice(start, Pdu.BHS_LENGTH),
                    "DataSegmentLength " + dataLength + " exceeds the negotiated " + maxDataSegmentLength);
        }
        int headerLength = Pdu.BHS_LENGTH + ahsLength;
        int headerDigestLength = headerDigest ? Digests.LENGTH : 0;
        int dataDigestLength = dataDigest && dataLength > 0 ? Digests.LENGTH : 0;
        int total = headerLength + headerDigestLength + dataLength + padding(dataLength) + dataDigestLength;
        if (in.readableBytes() < total) {
            return;
        }
        if (headerDigest) {
            int expected = in.getIntLE(start + headerLength);
            if (Digests.crc32c(in, start, headerLength) != expected) {
                // A header that fails its digest cannot be trusted even for its lengths: drop.
                throw new PduException(PduException.Kind.HEADER_DIGEST, null, "header digest mismatch");
            }
        }
        int dataStart = start + headerLength + headerDigestLength;
        if (dataDigestLength > 0) {
            int expected = in.getIntLE(dataStart + dataLength + padding(dataLength));
            if (Digests.crc32cPadded(in, dataStart, dataLength) != expected) {
                ByteBuf header = in.retainedSlice(start, Pdu.BHS_LENGTH);
                in.readerIndex(start + total);
                throw new PduException(PduException.Kind.DATA_DIGEST, header, "data digest mismatch");
            }
        }
        in.readerIndex(start + total);
        // ByteToMessageDecoder hands each decoded PDU on before it decodes the next (this method
        // adds at most one), so one view serves them all.
        out.add(view.frame(in, start, dataStart, dataLength));
    }
}
