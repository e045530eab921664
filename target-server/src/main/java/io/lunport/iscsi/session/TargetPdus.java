package io.lunport.iscsi.session;

import io.lunport.iscsi.pdu.Opcode;
import io.lunport.iscsi.pdu.PduWriter;
import io.netty.buffer.ByteBuf;

/**
 * Builders for the headers of target PDUs (RFC 7143 section 11) that carry the session's
 * sequence numbers. Each returns a header with every field but the data segment length
 * set; {@link PduWriter#send} fills that in.
 */
final class TargetPdus {

    static final int NO_TAG = 0xFFFFFFFF;

    // Data-In and SCSI Response flag bits (byte 1).
    static final int FINAL = 0x80;
    static final int STATUS_PRESENT = 0x01;
    static final int RESIDUAL_OVERFLOW = 0x04;
    static final int RESIDUAL_UNDERFLOW = 0x02;

    private TargetPdus() {
    }

    /** Sets StatSN, ExpCmdSN and MaxCmdSN at bytes 24, 28 and 32, where every response has them. */
    static ByteBuf sequenced(ByteBuf header, int statSn, CommandWindow window) {
        header.setInt(24, statSn);
        header.setInt(28, window.expCmdSn());
        header.setInt(32, window.maxCmdSn());
        return header;
    }

    static ByteBuf dataIn(PduWriter writer, int flags, int status, int itt, int statSn, CommandWindow window,
                          int dataSn, int bufferOffset, int residual) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.DATA_IN), statSn, window);
        h.setByte(1, flags);
        h.setByte(3, (flags & STATUS_PRESENT) != 0 ? status : 0);
        h.setInt(16, itt);
        h.setInt(20, NO_TAG);
        if ((flags & STATUS_PRESENT) == 0) {
            h.setInt(24, 0); // StatSN is reserved unless the status travels here.
        }
        h.setInt(36, dataSn);
        h.setInt(40, bufferOffset);
        h.setInt(44, residual);
        return h;
    }

    static ByteBuf scsiResponse(PduWriter writer, int residualFlags, int status, int itt, int statSn,
                                CommandWindow window, int expDataSn, int residual) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.SCSI_RESPONSE), statSn, window);
        h.setByte(1, FINAL | residualFlags);
        h.setByte(2, 0x00); // Command completed at target.
        h.setByte(3, status);
        h.setInt(16, itt);
        h.setInt(36, expDataSn);
        h.setInt(44, residual);
        return h;
    }

    static ByteBuf r2t(PduWriter writer, long lunField, int itt, int ttt, int statSn, CommandWindow window,
                       int r2tSn, int offset, int length) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.R2T), statSn, window);
        h.setByte(1, FINAL);
        h.setLong(8, lunField);
        h.setInt(16, itt);
        h.setInt(20, ttt);
        h.setInt(36, r2tSn);
        h.setInt(40, offset);
        h.setInt(44, length);
        return h;
    }

    static ByteBuf nopIn(PduWriter writer, long lunField, int itt, int ttt, int statSn, CommandWindow window) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.NOP_IN), statSn, window);
        h.setByte(1, FINAL);
        h.setLong(8, lunField);
        h.setInt(16, itt);
        h.setInt(20, ttt);
        return h;
    }

    static ByteBuf taskManagementResponse(PduWriter writer, int response, int itt, int statSn, CommandWindow window) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.TASK_MANAGEMENT_RESPONSE), statSn, window);
        h.setByte(1, FINAL);
        h.setByte(2, response);
        h.setInt(16, itt);
        return h;
    }

    static ByteBuf textResponse(PduWriter writer, boolean last, int itt, int ttt, int statSn, CommandWindow window) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.TEXT_RESPONSE), statSn, window);
        h.setByte(1, last ? FINAL : 0x40);
        h.setInt(16, itt);
        h.setInt(20, ttt);
        return h;
    }

    static ByteBuf logoutResponse(PduWriter writer, int response, int itt, int statSn, CommandWindow window,
                                  int time2Wait, int time2Retain) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.LOGOUT_RESPONSE), statSn, window);
        h.setByte(1, FINAL);
        h.setByte(2, response);
        h.setInt(16, itt);
        h.setShort(40, time2Wait);
        h.setShort(42, time2Retain);
        return h;
    }

    /** AsyncEvent 1 of an Async Message: the target asks the initiator to log out. */
    static final int ASYNC_EVENT_LOGOUT_REQUEST = 1;

    /**
     * An Async Message (RFC 7143 section 11.9) asking the initiator to log out within
     * {@code seconds} (Parameter3); Parameter1 and Parameter2 are reserved for this event.
     */
    static ByteBuf asyncLogoutRequest(PduWriter writer, int statSn, CommandWindow window, int seconds) {
        ByteBuf h = sequenced(writer.newHeader(Opcode.ASYNC_MESSAGE), statSn, window);
        h.setByte(1, FINAL);
        h.setInt(16, NO_TAG);
        h.setByte(36, ASYNC_EVENT_LOGOUT_REQUEST);
        h.setByte(37, 0); // AsyncVCode: vendor code, none
        h.setShort(42, Math.min(seconds, 0xFFFF));
        return h;
    }

    static ByteBuf reject(PduWriter writer, int reason, int statSn, CommandWindow window) {
        ByteBuf h = writer.newHeader(Opcode.REJECT);
        h.setByte(1, FINAL);
        h.setByte(2, reason);
        h.setInt(16, NO_TAG);
        h.setInt(24, statSn);
        if (window != null) {
            h.setInt(28, window.expCmdSn());
            h.setInt(32, window.maxCmdSn());
        }
        return h;
    }
}
