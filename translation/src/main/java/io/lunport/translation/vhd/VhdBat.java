package io.lunport.translation.vhd;

import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedDisk;
import io.lunport.translation.blockmap.Run;
import io.lunport.translation.blockmap.SectorBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the bytes of a VHD are: for a fixed disk, the file itself; for a dynamic or
 * differencing disk, the BAT of 32-bit sector numbers, each allocated block a sector bitmap
 * followed by the data. A run never crosses a block; in a differencing disk it is cut again
 * at the bitmap's runs (present sectors DATA, the others UNALLOCATED).
 *
 * <p>Memory cost: BAT pages (4 KiB, 1024 blocks each: 2 MiB of BAT per TB at the default
 * 2 MiB blocks) and, for differencing disks, block bitmaps (512 bytes per 2 MiB block: 256 KiB
 * per TB) load on demand into the context's byte-bounded metadata cache. Thread-safe without
 * locks.
 */
final class VhdBat implements MappedDisk {

    private static final int BAT_PAGE = 4096;
    private static final int SECTOR = 512;
    private static final long UNALLOCATED = 0xffffffffL;

    private final ImageFile file;
    private final VhdFooter footer;
    private final VhdDynamicHeader header;
    private final TranslationContext context;
    private final long size;

    /** @param header null for a fixed disk */
    VhdBat(ImageFile file, VhdFooter footer, VhdDynamicHeader header, TranslationContext context) {
        this.file = file;
        this.footer = footer;
        this.header = header;
        this.context = context;
        this.size = footer.virtualSize();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Run runAt(long offset, long maxLength) throws IOException {
        long max = Math.min(maxLength, size - offset);
        if (header == null) {
            return new Run(Run.Kind.DATA, offset, max, offset);
        }
        long blockSize = header.blockSize();
        long blockIndex = offset / blockSize;
        long inBlock = offset % blockSize;
        long length = Math.min(max, blockSize - inBlock);
        if (blockIndex >= header.maxTableEntries()) {
            return new Run(Run.Kind.UNALLOCATED, offset, length, -1);
        }
        long entryOffset = header.tableOffset() + blockIndex * 4;
        long pagePosition = header.tableOffset() + (blockIndex * 4) / BAT_PAGE * BAT_PAGE;
        int pageLength = (int) Math.min(BAT_PAGE, header.tableOffset() + header.maxTableEntries() * 4 - pagePosition);
        byte[] page = context.metadata(this, pagePosition, () -> file.readBytes(pagePosition, pageLength));
        long sector = ByteBuffer.wrap(page).getInt((int) (entryOffset - pagePosition)) & 0xffffffffL;
        if (sector == UNALLOCATED) {
            return new Run(Run.Kind.UNALLOCATED, offset, length, -1);
        }
        long bitmapOffset = sector * SECTOR;
        long dataOffset = bitmapOffset + header.bitmapSize();
        // Writers store whole blocks, but a last block cut at the disk's end is still readable.
        file.checkInFile(bitmapOffset, header.bitmapSize() + Math.min(blockSize, size - blockIndex * blockSize),
                entryOffset, "BAT entry " + blockIndex);
        if (footer.diskType() != VhdFooter.DIFFERENCING) {
            return new Run(Run.Kind.DATA, offset, length, dataOffset + inBlock);
        }
        byte[] bitmap = context.metadata(this, bitmapOffset, () -> file.readBytes(bitmapOffset, header.bitmapSize()));
        return new SectorBitmap(bitmap, 0, true).run(offset, inBlock, length, SECTOR, dataOffset);
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
