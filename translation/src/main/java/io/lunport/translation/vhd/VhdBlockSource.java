package io.lunport.translation.vhd;

import io.lunport.translation.BlockSource;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.BlockMappedSource;
import io.lunport.translation.blockmap.BlockMapping;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.SectorBitmap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A VHD (qemu's "vpc"): fixed (the file is the disk, footer at the end), dynamic (a BAT of
 * 32-bit sector numbers, each allocated block a sector bitmap followed by the data) or
 * differencing (a dynamic disk whose bitmap bits say which sectors it holds; the others,
 * and every unallocated block, come from the parent).
 *
 * <p>Dynamic disks read every sector of an allocated block from the file, whatever its
 * bitmap says, as qemu does (its writer sets whole bitmaps); only differencing disks consult
 * the bitmap.
 *
 * <p>Memory cost: BAT pages (4 KiB, 1024 blocks each: 2 MiB of BAT per TB at the default
 * 2 MiB blocks) and, for differencing disks, block bitmaps (512 bytes per 2 MiB block: 256 KiB
 * per TB) are loaded on demand into the context's byte-bounded metadata cache; nothing else
 * grows with the disk.
 *
 * <p>Locking contract: every method is safe from many threads; reads are positional and the
 * only shared state is the cache, which locks internally. {@link #close()} must not race
 * with reads.
 */
public final class VhdBlockSource extends BlockMappedSource {

    private static final int BAT_PAGE = 4096;
    private static final long FIXED_SPLIT = 2L * 1024 * 1024;
    private static final long UNALLOCATED = 0xffffffffL;

    private final VhdFooter footer;
    private final VhdDynamicHeader header;
    private final TranslationContext context;
    private final byte[] identity;
    private final String parentReference;

    VhdBlockSource(ImageFile file, VhdFooter footer, VhdDynamicHeader header, TranslationContext context,
                   BlockSource backing, String parentReference, byte[] identity) {
        super(file, footer.virtualSize(), header == null ? FIXED_SPLIT : header.blockSize(), 512, backing);
        this.footer = footer;
        this.header = header;
        this.context = context;
        this.parentReference = parentReference;
        this.identity = identity;
    }

    public VhdFooter footer() {
        return footer;
    }

    @Override
    protected BlockMapping map(long blockIndex) throws IOException {
        if (header == null) {
            return new BlockMapping.Stored(blockIndex * blockSize);
        }
        if (blockIndex >= header.maxTableEntries()) {
            return BlockMapping.ABSENT;
        }
        long entryOffset = header.tableOffset() + blockIndex * 4;
        long pagePosition = header.tableOffset() + (blockIndex * 4) / BAT_PAGE * BAT_PAGE;
        int pageLength = (int) Math.min(BAT_PAGE, header.tableOffset() + header.maxTableEntries() * 4 - pagePosition);
        byte[] page = context.metadata(this, pagePosition, () -> file.readBytes(pagePosition, pageLength));
        long sector = ByteBuffer.wrap(page).getInt((int) (entryOffset - pagePosition)) & 0xffffffffL;
        if (sector == UNALLOCATED) {
            return BlockMapping.ABSENT;
        }
        long bitmapOffset = sector * 512;
        long dataOffset = bitmapOffset + header.bitmapSize();
        // Writers store whole blocks, but a last block cut at the disk's end is still readable.
        checkInFile(bitmapOffset, header.bitmapSize() + Math.min(blockSize, size - blockIndex * blockSize),
                entryOffset, "BAT entry " + blockIndex);
        if (footer.diskType() != VhdFooter.DIFFERENCING) {
            return new BlockMapping.Stored(dataOffset);
        }
        byte[] bitmap = context.metadata(this, bitmapOffset, () -> file.readBytes(bitmapOffset, header.bitmapSize()));
        return new BlockMapping.Partial(dataOffset, new SectorBitmap(bitmap, 0, true));
    }

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public String formatName() {
        return VhdFormat.NAME;
    }

    public String subformat() {
        return switch (footer.diskType()) {
            case VhdFooter.FIXED -> "fixed";
            case VhdFooter.DYNAMIC -> "dynamic";
            default -> "differencing";
        };
    }

    @Override
    public SourceInfo describe() throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("subformat", subformat());
        details.put("creator", footer.creatorAppText());
        ByteBuffer id = ByteBuffer.wrap(footer.uniqueId());
        details.put("unique id", new UUID(id.getLong(), id.getLong()).toString());
        details.put("footer size", Long.toString(footer.currentSize()));
        details.put("geometry", footer.cylinders() + "/" + footer.heads() + "/" + footer.sectorsPerTrack());
        if (parentReference != null) {
            details.put("parent", parentReference);
        }
        return new SourceInfo(file.path(), VhdFormat.NAME, size, header == null ? 0 : blockSize, null,
                header == null ? size : allocatedBytes(), details, backing == null ? null : backing.describe());
    }
}
