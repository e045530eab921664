package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;
import io.netty.util.AbstractReferenceCounted;
import io.netty.util.ReferenceCounted;

/**
 * One received PDU: its 48-byte basic header segment, and its data segment without padding
 * or digest. Both are slices of the decoder's input; releasing the PDU releases them.
 *
 * <p>The accessors read the fields that sit at the same place in every initiator PDU
 * (RFC 7143 section 11.2); opcode-specific fields are read by offset where they are used.
 */
public final class Pdu extends AbstractReferenceCounted {

    public static final int BHS_LENGTH = 48;

    private final ByteBuf header;
    private final ByteBuf data;

    Pdu(ByteBuf header, ByteBuf data) {
        this.header = header;
        this.data = data;
    }

    /** The basic header segment (exactly 48 readable bytes, absolute indexes 0..47 via getXxx). */
    public ByteBuf header() {
        return header;
    }

    /** The data segment (may be empty). */
    public ByteBuf data() {
        return data;
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

    @Override
    protected void deallocate() {
        header.release();
        data.release();
    }

    @Override
    public ReferenceCounted touch(Object hint) {
        header.touch(hint);
        data.touch(hint);
        return this;
    }

    @Override
    public String toString() {
        return String.format("PDU opcode 0x%02x itt 0x%08x dsl %d", opcode(), initiatorTaskTag(), dataSegmentLength());
    }
}
