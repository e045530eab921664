package io.lunport.translation.vhdx.synth;

/**
 * Where everything lies in a synthesized dynamic VHDX. Every region is 1 MiB aligned:
 *
 * <pre>
 *   0        file identifier, headers (64 KiB, 128 KiB), region tables (192 KiB, 256 KiB)
 *   1 MiB    log: 1 MiB of zeros (LogGuid is zero, so no reader replays it; qemu refuses LogOffset 0)
 *   2 MiB    metadata region: 1 MiB (the table, the five system items, an optional user item)
 *   3 MiB    BAT: batEntries entries, rounded up to a MiB
 *   firstPayloadOffset   the present blocks, in virtual order, blockSize each
 * </pre>
 *
 * @param virtualSize  the disk size the metadata announces (the source size rounded up to a logical sector)
 * @param totalBlocks  payload blocks of the virtual disk, present or not
 * @param payloadBlocks blocks present in the file (FULLY_PRESENT)
 */
public record VhdxFileLayout(long virtualSize, int blockSize, int logicalSectorSize, int physicalSectorSize,
                             long chunkRatio, long totalBlocks, long batEntries, long payloadBlocks) {

    public static final long MIB = 1L << 20;
    public static final long LOG_OFFSET = MIB;
    public static final long LOG_LENGTH = MIB;
    public static final long METADATA_OFFSET = 2 * MIB;
    public static final long METADATA_LENGTH = MIB;
    public static final long BAT_OFFSET = 3 * MIB;

    public long logOffset() {
        return LOG_OFFSET;
    }

    public long logLength() {
        return LOG_LENGTH;
    }

    public long metadataOffset() {
        return METADATA_OFFSET;
    }

    public long metadataLength() {
        return METADATA_LENGTH;
    }

    public long batOffset() {
        return BAT_OFFSET;
    }

    /** The BAT region's length: its entries, rounded up to a MiB (at least one MiB). */
    public long batLength() {
        return Math.max(MIB, roundUpToMib(batEntries * 8));
    }

    public long firstPayloadOffset() {
        return BAT_OFFSET + batLength();
    }

    /** The file offset of the {@code slot}-th present block. */
    public long payloadOffset(long slot) {
        return firstPayloadOffset() + slot * blockSize;
    }

    public long fileLength() {
        return payloadOffset(payloadBlocks);
    }

    /**
     * The most this file can grow to when a VHDX writer makes every block present: all
     * payload blocks, plus slack for the sector-bitmap blocks a writer may allocate (one MiB
     * per chunk) and one spare block for a writer that appends before it reuses.
     */
    public long maxFileLength() {
        long bitmapBlocks = (totalBlocks + chunkRatio - 1) / chunkRatio;
        return payloadOffset(totalBlocks + 1) + bitmapBlocks * MIB;
    }

    static long roundUpToMib(long bytes) {
        return (bytes + MIB - 1) / MIB * MIB;
    }
}
