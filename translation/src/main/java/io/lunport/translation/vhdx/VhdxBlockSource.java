package io.lunport.translation.vhdx;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.BlockMappedSource;
import io.lunport.translation.blockmap.BlockMapping;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.SectorBitmap;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A VHDX: fixed, dynamic or differencing, 512 or 4096-byte logical sectors. Each payload
 * block's BAT entry says where it is; in a differencing disk a partially present block's
 * sectors are chosen by the chunk's sector-bitmap block, and absent blocks come from the
 * parent.
 *
 * <p>Block states: FULLY_PRESENT reads the file; ZERO, UNMAPPED and UNDEFINED read zeros (the
 * specification allows zeros for all three; qemu returns zeros); NOT_PRESENT reads the parent,
 * or zeros without one; PARTIALLY_PRESENT (differencing only) goes sector by sector.
 *
 * <p>Memory cost: BAT pages (32 KiB, 4096 entries) load on demand into the context's byte-bounded
 * metadata cache: 256 KiB of BAT per TB at 32 MiB blocks, 8 MiB per TB at 1 MiB blocks. Bitmaps
 * load per block (blockSize / sectorSize / 8 bytes: 8 KiB for 32 MiB blocks of 512-byte sectors)
 * into the same cache. A replayed log is held in memory for the life of the source (at most
 * the log's length, 1 MiB typically).
 *
 * <p>Locking contract: every method is safe from many threads; reads are positional and the
 * only shared state is the cache, which locks internally. {@link #close()} must not race
 * with reads.
 */
public final class VhdxBlockSource extends BlockMappedSource {

    private static final int BAT_PAGE = 32 * 1024;

    private final VhdxHeader header;
    private final VhdxMetadata metadata;
    private final VhdxRegionTable.Entry bat;
    private final TranslationContext context;
    private final String parentReference;
    private final byte[] identity;
    private final boolean replayedLog;

    VhdxBlockSource(ImageFile file, VhdxHeader header, VhdxMetadata metadata, VhdxRegionTable.Entry bat,
                    TranslationContext context, BlockSource backing, String parentReference, byte[] identity,
                    boolean replayedLog) {
        super(file, metadata.virtualDiskSize(), metadata.blockSize(), metadata.logicalSectorSize(), backing);
        this.header = header;
        this.metadata = metadata;
        this.bat = bat;
        this.context = context;
        this.parentReference = parentReference;
        this.identity = identity;
        this.replayedLog = replayedLog;
    }

    public VhdxHeader header() {
        return header;
    }

    public VhdxMetadata metadata() {
        return metadata;
    }

    private VhdxBatEntry entry(long index) throws IOException {
        long position = index * VhdxBatEntry.LENGTH;
        long page = position / BAT_PAGE * BAT_PAGE;
        int length = (int) Math.min(BAT_PAGE, bat.length() - page);
        byte[] bytes = context.metadata(this, bat.fileOffset() + page, () -> file.readBytes(bat.fileOffset() + page, length));
        return VhdxBatEntry.parse(Le.u64(bytes, (int) (position - page)));
    }

    @Override
    protected BlockMapping map(long block) throws IOException {
        long index = metadata.payloadEntryIndex(block);
        VhdxBatEntry entry = entry(index);
        long entryOffset = bat.fileOffset() + index * VhdxBatEntry.LENGTH;
        if (entry.state() == null) {
            throw new ImageFormatException(file.path(), entryOffset, "BAT entry " + index + " state",
                    "a reserved state code (4 or 5)");
        }
        switch (entry.state()) {
            case NOT_PRESENT:
                return BlockMapping.ABSENT;
            case ZERO, UNMAPPED, UNDEFINED:
                return BlockMapping.ZERO;
            default:
                break;
        }
        long dataOffset = entry.fileOffset();
        checkPayload(dataOffset, Math.min(blockSize, size - block * blockSize), entryOffset, "BAT entry " + index);
        if (entry.state() == VhdxBlockState.FULLY_PRESENT) {
            return new BlockMapping.Stored(dataOffset);
        }
        if (!metadata.fileParameters().hasParent()) {
            throw new ImageFormatException(file.path(), entryOffset, "BAT entry " + index + " state",
                    "PARTIALLY_PRESENT in a disk without a parent");
        }
        long bitmapIndex = metadata.bitmapEntryIndex(block);
        VhdxBatEntry bitmapEntry = entry(bitmapIndex);
        long bitmapEntryOffset = bat.fileOffset() + bitmapIndex * VhdxBatEntry.LENGTH;
        if (bitmapEntry.state() != VhdxBlockState.SB_PRESENT) {
            throw new ImageFormatException(file.path(), bitmapEntryOffset, "BAT entry " + bitmapIndex + " state",
                    "sector bitmap not present for a PARTIALLY_PRESENT block");
        }
        checkPayload(bitmapEntry.fileOffset(), VhdxMetadata.BITMAP_BLOCK, bitmapEntryOffset, "BAT entry " + bitmapIndex);
        int bitmapBytes = (int) (blockSize / sectorSize / 8);
        long bitmapPosition = bitmapEntry.fileOffset() + (block % metadata.chunkRatio()) * bitmapBytes;
        byte[] bits = context.metadata(this, bitmapPosition, () -> file.readBytes(bitmapPosition, bitmapBytes));
        return new BlockMapping.Partial(dataOffset, new SectorBitmap(bits, 0, false));
    }

    /** Payload and bitmap blocks lie after the first MiB (the header section) and inside the file. */
    private void checkPayload(long fileOffset, long length, long entryOffset, String field) throws ImageFormatException {
        if (fileOffset < VhdxFormat.HEADER_SECTION) {
            throw new ImageFormatException(file.path(), entryOffset, field, "points at " + fileOffset + ", inside the header section");
        }
        checkInFile(fileOffset, length, entryOffset, field);
    }

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public String formatName() {
        return VhdxFormat.NAME;
    }

    @Override
    public SourceInfo describe() throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("subformat", metadata.fileParameters().hasParent() ? "differencing"
                : metadata.fileParameters().leaveBlocksAllocated() ? "fixed" : "dynamic");
        details.put("block size", Long.toString(blockSize));
        details.put("logical sector size", Integer.toString(metadata.logicalSectorSize()));
        details.put("physical sector size", Integer.toString(metadata.physicalSectorSize()));
        details.put("virtual disk id", metadata.virtualDiskId().toString());
        details.put("data write guid", header.dataWriteGuid().toString());
        if (replayedLog) {
            details.put("log", "replayed in memory");
        }
        if (parentReference != null) {
            details.put("parent", parentReference);
        }
        return new SourceInfo(file.path(), VhdxFormat.NAME, size, blockSize, null, allocatedBytes(), details,
                backing == null ? null : backing.describe());
    }
}
