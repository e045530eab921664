package io.lunport.translation.blockmap;

import java.io.IOException;

/**
 * Runs from a table of 32-bit little-endian entries, one per fixed-size unit (a VMDK grain
 * table, a page of the VDI block map). Consecutive entries that say the same thing merge
 * into one run: unallocated after unallocated, zero after zero, and stored units whose
 * host offsets follow each other, so that a sequential read of a well-laid-out image
 * becomes one file read per table instead of one per unit.
 */
public final class EntryTable {

    /** What a format's entry means. */
    public interface Decoder {
        /** Returned by {@link #host} for an entry that stores nothing. */
        long UNALLOCATED = -1;
        /** Returned by {@link #host} for an entry that says "all zeros". */
        long ZERO = -2;

        /**
         * The file offset of the unit that entry {@code index} (with raw value {@code entry})
         * points at, or {@link #UNALLOCATED} or {@link #ZERO}.
         *
         * @throws IOException (an {@code ImageFormatException}) when the entry points outside the file
         */
        long host(int index, int entry) throws IOException;
    }

    private EntryTable() {
    }

    /**
     * The run starting at virtual {@code offset}, which lies {@code inUnit} bytes into the
     * unit of entry {@code index} of {@code table}. The run stays inside entries
     * {@code [index, limit)} and within {@code maxLength} bytes.
     *
     * @param stored the kind of a stored unit: DATA (units may merge) or COMPRESSED (they never do)
     */
    public static Run runAt(byte[] table, int index, int limit, long unitSize, long offset, long inUnit,
                            long maxLength, Decoder decoder, Run.Kind stored) throws IOException {
        long first = decoder.host(index, entryAt(table, index));
        Run.Kind kind = first == Decoder.UNALLOCATED ? Run.Kind.UNALLOCATED
                : first == Decoder.ZERO ? Run.Kind.ZERO : stored;
        long wanted = inUnit + maxLength;
        long covered = unitSize;
        long expectedHost = first + unitSize;
        int i = index + 1;
        boolean merges = kind != Run.Kind.COMPRESSED;
        while (merges && covered < wanted && i < limit) {
            long next = decoder.host(i, entryAt(table, i));
            boolean same = switch (kind) {
                case UNALLOCATED -> next == Decoder.UNALLOCATED;
                case ZERO -> next == Decoder.ZERO;
                default -> next == expectedHost;
            };
            if (!same) {
                break;
            }
            covered += unitSize;
            expectedHost += unitSize;
            i++;
        }
        long length = Math.min(covered - inUnit, maxLength);
        long host = kind == Run.Kind.DATA ? first + inUnit : kind == Run.Kind.COMPRESSED ? first : -1;
        return new Run(kind, offset, length, host);
    }

    /** The raw entry {@code index} of a little-endian table. */
    public static int entryAt(byte[] table, int index) {
        int p = index * 4;
        return (table[p] & 0xff) | (table[p + 1] & 0xff) << 8 | (table[p + 2] & 0xff) << 16 | (table[p + 3] & 0xff) << 24;
    }
}
