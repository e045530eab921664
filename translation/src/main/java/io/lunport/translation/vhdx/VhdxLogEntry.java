package io.lunport.translation.vhdx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * One log entry: a header sector with descriptors, then one 4 KiB data sector per data
 * descriptor. {@link #parse} returns null for anything that is not a valid entry of this log,
 * since scanning the ring meets stale and torn entries by design.
 *
 * @param offset    where the entry starts in the log
 * @param tail      log offset of the first entry of the sequence this entry ends
 * @param writes    the updates, in order
 */
public record VhdxLogEntry(long offset, long length, long tail, long sequenceNumber, long flushedFileOffset,
                           long lastFileOffset, List<Write> writes) {

    static final long SIGNATURE = 0x65676f6cL; // "loge"
    static final long DATA_DESCRIPTOR = 0x63736564L; // "desc"
    static final long ZERO_DESCRIPTOR = 0x6f72657aL; // "zero"
    static final long DATA_SECTOR = 0x61746164L; // "data"
    static final int SECTOR = 4096;
    private static final int HEADER = 64;
    private static final int DESCRIPTOR = 32;
    /** File offsets beyond this are corrupt (64 TiB of payload plus metadata fits far below). */
    static final long MAX_FILE_OFFSET = 1L << 52;

    /** Writes {@code data} (4 KiB) at {@code fileOffset}, or zeros over {@code length} bytes when data is null. */
    public record Write(long fileOffset, long length, byte[] data) {
    }

    /** The entry at {@code offset} of the ring {@code log}, or null when there is no valid one. */
    static VhdxLogEntry parse(byte[] log, long offset, VhdxGuid logGuid) {
        if (offset % SECTOR != 0 || Le.u32(log, (int) offset) != SIGNATURE) {
            return null;
        }
        byte[] head = ring(log, offset, SECTOR);
        long length = Le.u32(head, 8);
        long tail = Le.u32(head, 12);
        long sequence = Le.u64(head, 16);
        long count = Le.u32(head, 24);
        if (length < SECTOR || length % SECTOR != 0 || length > log.length || tail % SECTOR != 0 || tail >= log.length
                || sequence == 0 || !VhdxGuid.parse(head, 32).equals(logGuid)) {
            return null;
        }
        long descriptorSectors = (HEADER + count * DESCRIPTOR + SECTOR - 1) / SECTOR;
        if (descriptorSectors * SECTOR > length) {
            return null;
        }
        byte[] entry = ring(log, offset, (int) length);
        if (!VhdxChecksum.matches(entry, 0, entry.length, 4)) {
            return null;
        }
        List<Write> writes = new ArrayList<>();
        long dataSector = descriptorSectors;
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * DESCRIPTOR;
            long signature = Le.u32(entry, at);
            long fileOffset = Le.u64(entry, at + 16);
            if (Le.u64(entry, at + 24) != sequence || fileOffset % SECTOR != 0 || fileOffset < 0 || fileOffset > MAX_FILE_OFFSET) {
                return null;
            }
            if (signature == ZERO_DESCRIPTOR) {
                long zeroLength = Le.u64(entry, at + 8);
                if (zeroLength % SECTOR != 0 || zeroLength < 0 || zeroLength > MAX_FILE_OFFSET - fileOffset) {
                    return null;
                }
                writes.add(new Write(fileOffset, zeroLength, null));
            } else if (signature == DATA_DESCRIPTOR) {
                int sector = (int) (dataSector++ * SECTOR);
                if (sector + SECTOR > entry.length || Le.u32(entry, sector) != DATA_SECTOR
                        || Le.u32(entry, sector + 4) != sequence >>> 32 || Le.u32(entry, sector + 4092) != (sequence & 0xffffffffL)) {
                    return null;
                }
                // The data sector lost its first 8 and last 4 bytes to the signature and sequence
                // number; the descriptor kept them.
                byte[] page = Arrays.copyOfRange(entry, sector, sector + SECTOR);
                System.arraycopy(entry, at + 8, page, 0, 8);
                System.arraycopy(entry, at + 4, page, 4092, 4);
                writes.add(new Write(fileOffset, SECTOR, page));
            } else {
                return null;
            }
        }
        if (dataSector * SECTOR != length) {
            return null;
        }
        return new VhdxLogEntry(offset, length, tail, sequence, Le.u64(head, 48), Le.u64(head, 56), List.copyOf(writes));
    }

    /** {@code length} bytes of the ring from {@code offset}, wrapping at its end. */
    private static byte[] ring(byte[] log, long offset, int length) {
        byte[] out = new byte[length];
        int first = (int) Math.min(length, log.length - offset);
        System.arraycopy(log, (int) offset, out, 0, first);
        System.arraycopy(log, 0, out, first, length - first);
        return out;
    }
}
