package io.lunport.scsi.copy;

import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.SenseData;

/** The conditions EXTENDED COPY ends with (SPC-4 6.4 and its sense codes in Table D.1). */
final class CopySense {

    /** With ASC 26h (INVALID FIELD IN PARAMETER LIST): the descriptor-list qualifiers. */
    static final int ASCQ_TOO_MANY_TARGET_DESCRIPTORS = 0x06;
    static final int ASCQ_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE = 0x07;
    static final int ASCQ_TOO_MANY_SEGMENT_DESCRIPTORS = 0x08;
    static final int ASCQ_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE = 0x09;
    /** 0Dh/02h COPY TARGET DEVICE NOT REACHABLE. */
    static final int ASC_COPY_TARGET_DEVICE = 0x0D;
    static final int ASCQ_NOT_REACHABLE = 0x02;
    /** SD bit of the COPY ABORTED sense-key specific field: the pointer is into a segment descriptor. */
    private static final int SEGMENT_DESCRIPTOR = 0x20;

    private CopySense() {
    }

    static ScsiException parameterListLength() {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
    }

    static ScsiException descriptorList(int ascq) {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_FIELD_IN_PARAMETER_LIST, ascq);
    }

    /** A copy target named by a CSCD descriptor (or a segment's index) that lunport cannot reach. */
    static ScsiException targetNotReachable() {
        return ScsiException.check(SenseData.COPY_ABORTED, ASC_COPY_TARGET_DEVICE, ASCQ_NOT_REACHABLE);
    }

    /**
     * COPY ABORTED while processing the segment descriptor at {@code offset} of the parameter list
     * (its blocks lie outside a copy target): NO ADDITIONAL SENSE INFORMATION, and the
     * sense-key specific field points at the segment descriptor.
     */
    static ScsiException segmentFailed(int offset) {
        byte[] sense = SenseData.of(SenseData.COPY_ABORTED, 0, 0);
        sense[15] = (byte) (0x80 | SEGMENT_DESCRIPTOR); // SKSV, SD
        sense[16] = (byte) (offset >>> 8);
        sense[17] = (byte) offset;
        return new ScsiException(ScsiStatus.checkCondition(sense));
    }
}
