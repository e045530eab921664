package io.lunport.iscsi.pdu;

import io.netty.buffer.ByteBuf;

/**
 * A PDU that cannot be accepted as framed. Carries the offending header, when it could be
 * read, so that the connection can quote it in a Reject before it closes.
 */
public final class PduException extends Exception {

    public enum Kind {
        /** A length field over what was negotiated. */
        LENGTH,
        HEADER_DIGEST,
        DATA_DIGEST
    }

    private final Kind kind;
    private final transient ByteBuf header;

    public PduException(Kind kind, ByteBuf header, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.header = header;
    }

    public Kind kind() {
        return kind;
    }

    /** The 48-byte header (the receiver releases it), or null. */
    public ByteBuf header() {
        return header;
    }
}
