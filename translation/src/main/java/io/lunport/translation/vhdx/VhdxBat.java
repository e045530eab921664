package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedDisk;
import io.lunport.translation.blockmap.Run;
import io.lunport.translation.blockmap.SectorBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the bytes of a VHDX are: each payload block's BAT entry. A run never crosses a block;
 * FULLY_PRESENT is DATA, ZERO, UNMAPPED and UNDEFINED are ZERO, NOT_PRESENT is UNALLOCATED,
 * and a PARTIALLY_PRESENT block (differencing only) is cut at the runs of its chunk's
 * sector-bitmap block.
 *
 * <p>Memory cost: BAT pages (32 KiB, 4096 entries) load on demand into the context's byte-bounded
 * metadata cache: 256 KiB of BAT per TB at 32 MiB blocks, 8 MiB per TB at 1 MiB blocks. Bitmaps
 * load per block (blockSize / sectorSize / 8 bytes: 8 KiB for 32 MiB blocks of 512-byte sectors)
 * into the same cache. Thread-safe without locks.
 */
final class VhdxBat implements MappedDisk {

    private static final int BAT_PAGE = 32 * 1024;

    private final ImageFile file;
    private final VhdxMetadata metadata;
    private final VhdxRegionTable.Entry bat;
    private final TranslationContext context;
    private final long size;
    private final long blockSize;
    private final int sectorSize;

    VhdxBat(ImageFile file, VhdxMetadata metadata, VhdxRegionTable.Entry bat, TranslationContext context) {
        this.file = file;
        this.metadata = metadata;
        this.bat = bat;
        this.context = context;
        this.size = metadata.virtualDiskSize();
        this.blockSize = metadata.blockSize();
        this.sectorSize = metadata.logicalSectorSize();
    }

    @Override
    public long size() {
        return size;
    }

    private VhdxBatEntry entry(long index) throws IOException {
        long position = index * VhdxBatEntry.LENGTH;
        long page = position / BAT_PAGE * BAT_PAGE;
        int length = (int) Math.min(BAT_PAGE, bat.length() - page);
        byte[] bytes = context.metadata(this, bat.fileOffset() + page, () -> file.readBytes(bat.fileOffset() + page, length));
        return VhdxBatEntry.parse(Le.u64(bytes, (int) (position - page)));
    }

    @Override
    public Run runAt(long offset, long maxLength) throws IOException {
        long block = offset / blockSize;
        long inBlock = offset % blockSize;
        long length = Math.min(Math.min(maxLength, size - offset), blockSize - inBlock);
        long index = metadata.payloadEntryIndex(block);
        VhdxBatEntry entry = entry(index);
        long entryOffset = bat.fileOffset() + index * VhdxBatEntry.LENGTH;
        if (entry.state() == null) {
            throw new ImageFormatException(file.path(), entryOffset, "BAT entry " + index + " state",
                    "a reserved state code (4 or 5)");
        }
        switch (entry.state()) {
            case NOT_PRESENT:
                return new Run(Run.Kind.UNALLOCATED, offset, length, -1);
            case ZERO, UNMAPPED, UNDEFINED:
                return new Run(Run.Kind.ZERO, offset, length, -1);
            default:
                break;
        }
        long dataOffset = entry.fileOffset();
        checkPayload(dataOffset, Math.min(blockSize, size - block * blockSize), entryOffset, "BAT entry " + index);
        if (entry.state() == VhdxBlockState.FULLY_PRESENT) {
            return new Run(Run.Kind.DATA, offset, length, dataOffset + inBlock);
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
        return new SectorBitmap(bits, 0, false).run(offset, inBlock, length, sectorSize, dataOffset);
    }

    /** Payload and bitmap blocks lie after the first MiB (the header section) and inside the file. */
    private void checkPayload(long fileOffset, long length, long entryOffset, String field) throws ImageFormatException {
        if (fileOffset < VhdxFormat.HEADER_SECTION) {
            throw new ImageFormatException(file.path(), entryOffset, field, "points at " + fileOffset + ", inside the header section");
        }
        file.checkInFile(fileOffset, length, entryOffset, field);
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        file.readStored(run.host() + (offset - run.offset()), dst, offset);
    }

    @Override
    public ImageFile fileOf(Run run) {
        return file;
    }
}
