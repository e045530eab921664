package io.lunport.scsi.copy;

import io.lunport.scsi.ScsiException;
import io.lunport.scsi.command.Cdb;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The parameter list of EXTENDED COPY (LID1, SPC-4 6.4.3), decoded and checked before any block
 * moves: a 16-byte header, CSCD descriptors, segment descriptors, inline data. lunport's copy
 * manager understands identification descriptor CSCDs (E4h, an LU named by its designator) and
 * block-to-block segments (02h); any other type is refused by its own sense code.
 *
 * <p>The checks run in the order libiscsi's ExtendedCopy tests expect: lengths first (a list
 * longer than {@link CopyLimits#MAX_DESCRIPTOR_LIST_LENGTH} is a length error even if it also
 * has too many descriptors), then the descriptor counts, then each descriptor.
 */
record CopyParameterList(int listId, int listIdUsage, List<Cscd> cscds, List<BlockSegment> segments) {

    static final int HEADER_LENGTH = 16;
    static final int CSCD_LENGTH = 32;
    static final int SEGMENT_LENGTH = 28;

    static final int IDENTIFICATION_CSCD = 0xE4;
    static final int BLOCK_TO_BLOCK_SEGMENT = 0x02;

    /** LIST ID USAGE: 00b hold the copy status for RECEIVE COPY RESULTS; 01b is reserved. */
    static final int HOLD_RESULTS = 0;
    private static final int RESERVED_USAGE = 1;

    /**
     * An identification descriptor: which LU (its designator as VPD 83h spells it), its
     * peripheral device type and the block length the initiator assumes.
     *
     * @param offset where the descriptor starts in the parameter list
     */
    record Cscd(int offset, int peripheralType, int codeSet, int association, int designatorType,
            byte[] designator, int blockLength) {}

    /**
     * A block device to block device segment: {@code blocks} blocks (of the destination's size
     * when {@code destinationCount}, DC=1, else of the source's) from source LBA to destination LBA.
     */
    record BlockSegment(int offset, int source, int destination, boolean destinationCount, int blocks,
            long sourceLba, long destinationLba) {}

    /** Decodes {@code list} (position 0, limit = the bytes received, at least the header). */
    static CopyParameterList parse(ByteBuffer list) throws ScsiException {
        int received = list.limit();
        int usage = (Cdb.u8(list, 1) >>> 3) & 0x03;
        if (usage == RESERVED_USAGE) {
            throw ScsiException.invalidParameterField(1, 4);
        }
        long cscdLength = Cdb.u16(list, 2);
        long segmentLength = Cdb.u32(list, 8);
        long inlineLength = Cdb.u32(list, 12);
        if (HEADER_LENGTH + cscdLength + segmentLength + inlineLength > received) {
            throw CopySense.parameterListLength();
        }
        if (cscdLength + segmentLength > CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH) {
            throw CopySense.parameterListLength();
        }
        int segmentsAt = HEADER_LENGTH + (int) cscdLength;
        int segmentsEnd = segmentsAt + (int) segmentLength;
        if ((cscdLength + CSCD_LENGTH - 1) / CSCD_LENGTH > CopyLimits.MAX_CSCD_DESCRIPTORS) {
            throw CopySense.descriptorList(CopySense.ASCQ_TOO_MANY_TARGET_DESCRIPTORS);
        }
        if (countSegments(list, segmentsAt, segmentsEnd) > CopyLimits.MAX_SEGMENT_DESCRIPTORS) {
            throw CopySense.descriptorList(CopySense.ASCQ_TOO_MANY_SEGMENT_DESCRIPTORS);
        }
        List<Cscd> cscds = new ArrayList<>();
        for (int at = HEADER_LENGTH; at < segmentsAt; at += CSCD_LENGTH) {
            cscds.add(cscd(list, at, segmentsAt));
        }
        List<BlockSegment> segments = new ArrayList<>();
        for (int at = segmentsAt; at < segmentsEnd; at += SEGMENT_LENGTH) {
            segments.add(segment(list, at, segmentsEnd));
        }
        return new CopyParameterList(Cdb.u8(list, 0), usage, List.copyOf(cscds), List.copyOf(segments));
    }

    /** Segment descriptors by their own DESCRIPTOR LENGTH fields, whatever their type. */
    private static int countSegments(ByteBuffer list, int from, int end) throws ScsiException {
        int count = 0;
        for (int at = from; at < end; count++) {
            if (end - at < 4) {
                throw CopySense.parameterListLength();
            }
            at += 4 + Cdb.u16(list, at + 2);
        }
        return count;
    }

    private static Cscd cscd(ByteBuffer list, int at, int end) throws ScsiException {
        if (Cdb.u8(list, at) != IDENTIFICATION_CSCD) {
            throw CopySense.descriptorList(CopySense.ASCQ_UNSUPPORTED_TARGET_DESCRIPTOR_TYPE);
        }
        if (end - at < CSCD_LENGTH) {
            throw CopySense.parameterListLength();
        }
        // Byte 1: LU ID TYPE and NUL are obsolete in SPC-4 and ignored (libiscsi's ValidTgtDescr
        // expects a reserved LU ID TYPE to be ignored by an SPC-4 target); bits 4..0 the device type.
        int flags = Cdb.u8(list, at + 1);
        int designatorLength = Cdb.u8(list, at + 7);
        if (designatorLength > 20 - 4) {
            throw ScsiException.invalidParameterField(at + 7, -1);
        }
        byte[] designator = new byte[designatorLength];
        list.get(at + 8, designator);
        return new Cscd(at, flags & 0x1F, Cdb.u8(list, at + 4) & 0x0F,
                (Cdb.u8(list, at + 5) >>> 4) & 0x03, Cdb.u8(list, at + 5) & 0x0F, designator,
                Cdb.u24(list, at + 29));
    }

    private static BlockSegment segment(ByteBuffer list, int at, int end) throws ScsiException {
        if (Cdb.u8(list, at) != BLOCK_TO_BLOCK_SEGMENT) {
            throw CopySense.descriptorList(CopySense.ASCQ_UNSUPPORTED_SEGMENT_DESCRIPTOR_TYPE);
        }
        if (Cdb.u16(list, at + 2) != SEGMENT_LENGTH - 4 || end - at < SEGMENT_LENGTH) {
            throw ScsiException.invalidParameterField(at + 2, -1);
        }
        return new BlockSegment(at, Cdb.u16(list, at + 4), Cdb.u16(list, at + 6), Cdb.bit(list, at + 1, 1),
                Cdb.u16(list, at + 10), Cdb.u64(list, at + 12), Cdb.u64(list, at + 20));
    }
}
