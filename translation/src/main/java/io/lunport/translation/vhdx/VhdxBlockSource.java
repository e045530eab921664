package io.lunport.translation.vhdx;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedBlockSource;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * <p>The table walk is {@link VhdxBat}'s; reads and extents are {@link MappedBlockSource}'s.
 *
 * <p>Memory cost: the BAT pages and bitmaps {@link VhdxBat} loads on demand into the context's
 * byte-bounded metadata cache (256 KiB of BAT per TB at 32 MiB blocks). A replayed log is held
 * in memory for the life of the source (at most the log's length, 1 MiB typically).
 *
 * <p>Locking contract: every method is safe from many threads; reads are positional and the
 * only shared state is the cache, which locks internally. {@link #close()} must not race
 * with reads.
 */
public final class VhdxBlockSource extends MappedBlockSource {

    /** A metadata item's bytes and the file offset they were read from. */
    public record StoredItem(long fileOffset, byte[] content) {
    }

    private final ImageFile file;
    private final VhdxHeader header;
    private final VhdxMetadata metadata;
    private final VhdxRegionTable.Entry metadataRegion;
    private final String parentReference;
    private final boolean replayedLog;

    VhdxBlockSource(ImageFile file, VhdxHeader header, VhdxMetadata metadata, VhdxRegionTable.Entry metadataRegion,
                    VhdxRegionTable.Entry bat,
                    TranslationContext context, BlockSource backing, String parentReference, byte[] identity,
                    boolean replayedLog) {
        super(VhdxFormat.NAME, new VhdxBat(file, metadata, bat, context), backing, List.of(file), identity);
        this.file = file;
        this.header = header;
        this.metadata = metadata;
        this.metadataRegion = metadataRegion;
        this.parentReference = parentReference;
        this.replayedLog = replayedLog;
    }

    public VhdxHeader header() {
        return header;
    }

    public VhdxMetadata metadata() {
        return metadata;
    }

    /**
     * The user metadata item {@code id}, read now (it is not kept), or empty when the file has
     * none. {@code name} is the item's name in error messages.
     *
     * @throws ImageFormatException when the item does not lie inside the metadata region
     */
    public Optional<StoredItem> userItem(VhdxGuid id, String name) throws IOException {
        return VhdxMetadataReader.userItem(file, metadataRegion, id, name);
    }

    @Override
    public SourceInfo describe() throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("subformat", metadata.fileParameters().hasParent() ? "differencing"
                : metadata.fileParameters().leaveBlocksAllocated() ? "fixed" : "dynamic");
        details.put("block size", Long.toString(metadata.blockSize()));
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
        return new SourceInfo(file.path(), VhdxFormat.NAME, size(), metadata.blockSize(), null, allocatedBytes(), details,
                backing() == null ? null : backing().describe());
    }
}
