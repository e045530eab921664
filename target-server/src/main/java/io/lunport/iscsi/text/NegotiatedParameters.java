package io.lunport.iscsi.text;

/**
 * What a login settled, as the full feature phase uses it.
 *
 * @param initiatorMaxRecvDataSegmentLength the most data the target may put in one PDU
 * @param targetMaxRecvDataSegmentLength    the most data the initiator may put in one PDU
 */
public record NegotiatedParameters(
        boolean headerDigest,
        boolean dataDigest,
        int initiatorMaxRecvDataSegmentLength,
        int targetMaxRecvDataSegmentLength,
        int maxBurstLength,
        int firstBurstLength,
        boolean initialR2T,
        boolean immediateData,
        int maxOutstandingR2T,
        int defaultTime2Wait,
        int defaultTime2Retain) {

    /** The same, with the limit the initiator declared in a Text Request after login. */
    public NegotiatedParameters withInitiatorMaxRecvDataSegmentLength(int length) {
        return new NegotiatedParameters(headerDigest, dataDigest, length, targetMaxRecvDataSegmentLength, maxBurstLength,
                firstBurstLength, initialR2T, immediateData, maxOutstandingR2T, defaultTime2Wait, defaultTime2Retain);
    }
}
