package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * One received PDU: its 48-byte basic header segment, and its data segment without padding
 * or digest.
 *
 * <p>Two kinds, so that receiving allocates nothing per PDU. The decoder hands every PDU of a
 * connection in one reused <em>view</em>: the header, and a data segment of up to
 * {@link #INLINE_DATA_LENGTH} bytes, copied into buffers the view owns; only a longer data
 * segment is a retained slice of the decoder's input. A view is valid only while the handler it
 * is passed to runs (its {@code channelRead}, which ends with {@link #release}); whoever keeps a
 * PDU longer, a command held until its CmdSN comes up, keeps a {@link #copy}, which owns its
 * bytes until released.
 *
 * <p>The accessors read the fields that sit at the same place in every initiator PDU
 * (RFC 7143 section 11.2); opcode-specific fields are read by offset where they are used.
 */
public final class Pdu {

    public static final int BHS_LENGTH = 48;

    /**
     * Data segments up to this long are copied into the view's own buffer rather than sliced
     * from the input (a slice is an object per PDU): a 4 KiB write goes in one PDU.
     */
    public static final int INLINE_DATA_LENGTH = 8192;

    private final ByteBuf header;
    /** The view's buffer for short data segments; null in a copy. */
    private final ByteBuf inline;
    /** Holds the data segment from index 0: empty, {@link #inline}, or a buffer this PDU holds a reference to. */
    private ByteBuf source = Unpooled.EMPTY_BUFFER;
    /** Whether {@link #release} must release {@link #source}. */
    private boolean holdsSource;
    private int dataLength;
    /** {@link #data()}'s slice, made on first use (only the rare paths need one). */
    private ByteBuf dataSlice;

    private Pdu(ByteBuf header, ByteBuf inline) {
        this.header = header;
        this.inline = inline;
    }

    /** A view for a decoder to fill with {@link #frame}, once per connection. */
    static Pdu newView() {
        return new Pdu(Unpooled.buffer(BHS_LENGTH, BHS_LENGTH), Unpooled.buffer(INLINE_DATA_LENGTH, INLINE_DATA_LENGTH));
    }

    /**
     * Points this view at the PDU whose header starts at {@code headerIndex} of {@code in} and
     * whose data segment is {@code dataLength} bytes at {@code dataIndex}. The decoder may hand
     * the view on after it has let go of {@code in}: nothing here refers to {@code in} unretained.
     */
    Pdu frame(ByteBuf in, int headerIndex, int dataIndex, int dataLength) {
        release();
        header.setBytes(0, in, headerIndex, BHS_LENGTH).setIndex(0, BHS_LENGTH);
        if (dataLength == 0) {
            source = Unpooled.EMPTY_BUFFER;
        } else if (dataLength <= INLINE_DATA_LENGTH) {
            source = inline.setBytes(0, in, dataIndex, dataLength);
        } else {
            source = in.retainedSlice(dataIndex, dataLength);
            holdsSource = true;
        }
        this.dataLength = dataLength;
        return this;
    }

    /**
     * A PDU that owns a copy of this one's header and data, for keeping beyond the handler
     * call; {@link #release} frees it. Allocates: for rare paths only.
     */
    public Pdu copy() {
        Pdu copy = new Pdu(header.copy(0, BHS_LENGTH), null);
        copy.source = dataLength == 0 ? Unpooled.EMPTY_BUFFER : source.copy(0, dataLength);
        copy.holdsSource = dataLength > 0;
        copy.dataLength = dataLength;
        return copy;
    }

    /** The basic header segment (exactly 48 readable bytes, absolute indexes 0..47 via getXxx). */
    public ByteBuf header() {
        return header;
    }

    /**
     * A copy of the basic header segment that outlives this PDU, for a Reject's data segment;
     * released by whoever sends it.
     */
    public ByteBuf copyOfHeader() {
        return header.copy(0, BHS_LENGTH);
    }

    /** The length of the data segment, without padding. */
    public int dataLength() {
        return dataLength;
    }

    /** Copies the first {@code length} bytes of the data segment into {@code dst} at {@code dstIndex}. */
    public void copyData(ByteBuf dst, int dstIndex, int length) {
        if (length < 0 || length > dataLength) {
            throw new IndexOutOfBoundsException("length " + length + " of a " + dataLength + "-byte data segment");
        }
        // Copied by the source (Netty's adaptive buffers wrap the source in NIO views when the
        // destination does the copying).
        source.getBytes(0, dst, dstIndex, length);
    }

    /**
     * The data segment (may be empty), valid as long as this PDU: a view's bytes are overwritten
     * by the next PDU, so a caller that keeps or sends some copies them. Allocates a slice on
     * first use: the I/O path uses {@link #copyData} instead.
     */
    public ByteBuf data() {
        if (dataSlice == null) {
            dataSlice = dataLength == 0 ? Unpooled.EMPTY_BUFFER : source.slice(0, dataLength);
        }
        return dataSlice;
    }

    public int opcode() {
        return header.getByte(0) & 0x3F;
    }

    /** The I bit: an immediate command, outside CmdSN ordering. */
    public boolean isImmediate() {
        return (header.getByte(0) & 0x40) != 0;
    }

    /** The F (final) bit in byte 1. */
    public boolean isFinal() {
        return (header.getByte(1) & 0x80) != 0;
    }

    public int flags() {
        return header.getByte(1) & 0xFF;
    }

    public int totalAhsLength() {
        return header.getByte(4) & 0xFF;
    }

    public int dataSegmentLength() {
        return header.getMedium(5);
    }

    public long lun() {
        return header.getLong(8);
    }

    public int initiatorTaskTag() {
        return header.getInt(16);
    }

    /** Bytes 20..23: the target transfer tag, or the opcode-specific field that sits there. */
    public int targetTransferTag() {
        return header.getInt(20);
    }

    public int cmdSn() {
        return header.getInt(24);
    }

    public int expStatSn() {
        return header.getInt(28);
    }

    /** Done with this PDU: lets go of the data segment (a copy's, or a view's long one). Safe to call twice. */
    public void release() {
        if (holdsSource) {
            source.release();
            holdsSource = false;
        }
        source = Unpooled.EMPTY_BUFFER;
        dataSlice = null;
        dataLength = 0;
    }

    @Override
    public String toString() {
        return String.format("PDU opcode 0x%02x itt 0x%08x dsl %d", opcode(), initiatorTaskTag(), dataSegmentLength());
    }
}
