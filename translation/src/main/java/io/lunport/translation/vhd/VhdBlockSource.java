package io.lunport.translation.vhd;

import io.lunport.translation.BlockSource;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
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
 * <p>The table walk is {@link VhdBat}'s; reads and extents are {@link MappedBlockSource}'s.
 *
 * <p>Memory cost: the BAT pages and bitmaps {@link VhdBat} loads on demand into the context's
 * byte-bounded metadata cache (2 MiB + 256 KiB per TB at 2 MiB blocks); nothing else grows
 * with the disk.
 *
 * <p>Locking contract: every method is safe from many threads; reads are positional and the
 * only shared state is the cache, which locks internally. {@link #close()} must not race
 * with reads.
 */
public final class VhdBlockSource extends MappedBlockSource {

    private final ImageFile file;
    private final VhdFooter footer;
    private final VhdDynamicHeader header;
    private final String parentReference;

    VhdBlockSource(ImageFile file, VhdFooter footer, VhdDynamicHeader header, TranslationContext context,
                   BlockSource backing, String parentReference, byte[] identity) {
        super(VhdFormat.NAME, new VhdBat(file, footer, header, context), backing, List.of(file), identity);
        this.file = file;
        this.footer = footer;
        this.header = header;
        this.parentReference = parentReference;
    }

    public VhdFooter footer() {
        return footer;
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
        return new SourceInfo(file.path(), VhdFormat.NAME, size(), header == null ? 0 : header.blockSize(), null,
                allocatedBytes(), details, backing() == null ? null : backing().describe()); // fixed: less the file's holes
    }
}
