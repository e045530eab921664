package io.lunport.scsi.copy;

/**
 * What lunport's copy manager accepts in one EXTENDED COPY, reported by RECEIVE COPY RESULTS
 * (OPERATING PARAMETERS) and enforced by {@link CopyParameterList}, so that the two never
 * disagree. Small on purpose: a copy runs on one worker thread to completion, and these bound
 * how long.
 */
final class CopyLimits {

    /** CSCD (target) descriptors: a source and a destination, and room for a few more. */
    static final int MAX_CSCD_DESCRIPTORS = 4;
    static final int MAX_SEGMENT_DESCRIPTORS = 16;
    /** Both descriptor lists at their maximum, in bytes (identification and block-to-block descriptors). */
    static final int MAX_DESCRIPTOR_LIST_LENGTH =
            MAX_CSCD_DESCRIPTORS * CopyParameterList.CSCD_LENGTH + MAX_SEGMENT_DESCRIPTORS * CopyParameterList.SEGMENT_LENGTH;
    /** The 16-bit NUMBER OF BLOCKS of a block-to-block descriptor, in the largest block size. */
    static final long MAX_SEGMENT_BYTES = 0xFFFFL * 4096;

    private CopyLimits() {
    }
}
