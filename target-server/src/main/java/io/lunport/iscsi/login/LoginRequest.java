package io.lunport.iscsi.login;

import io.lunport.iscsi.pdu.Pdu;
import io.netty.buffer.ByteBufUtil;

/** The fields of a Login Request PDU (RFC 7143 section 11.12). */
public record LoginRequest(boolean transit, boolean continues, int currentStage, int nextStage,
                           int versionMax, int versionMin, long isid, int tsih, int initiatorTaskTag,
                           int connectionId, int cmdSn, int expStatSn, byte[] text) {

    public static LoginRequest of(Pdu pdu) {
        int flags = pdu.flags();
        var h = pdu.header();
        long isid = ((long) h.getUnsignedShort(8) << 32) | h.getUnsignedInt(10);
        return new LoginRequest((flags & 0x80) != 0, (flags & 0x40) != 0, (flags >> 2) & 3, flags & 3,
                h.getUnsignedByte(2), h.getUnsignedByte(3), isid, h.getUnsignedShort(14),
                pdu.initiatorTaskTag(), h.getUnsignedShort(20), pdu.cmdSn(), pdu.expStatSn(),
                ByteBufUtil.getBytes(pdu.data()));
    }
}
