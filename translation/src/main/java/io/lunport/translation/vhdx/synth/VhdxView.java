package io.lunport.translation.vhdx.synth;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.RawBlockSource;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.vhdx.VhdxBatEntry;
import io.lunport.translation.vhdx.VhdxBlockState;
import io.lunport.translation.vhdx.VhdxFileParameters;
import io.lunport.translation.vhdx.VhdxGuid;
import io.lunport.translation.vhdx.VhdxMetadata;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Any {@link BlockSource} seen as the bytes of a dynamic VHDX file holding the same virtual
 * disk: {@link #size()} is the file's length and {@link #read} returns the file's bytes. The
 * headers, region tables, metadata and BAT are generated (see {@link VhdxFileLayout} for where
 * they lie); a payload block's bytes are read from the source when asked for.
 *
 * <p>Blocks with any DATA in the source's extents are FULLY_PRESENT and stored in virtual
 * order after the BAT; every other block is NOT_PRESENT with offset 0, which qemu, libvhdi
 * and Hyper-V read as zeros in a disk without a parent. Bytes of the last block past the
 * source's end read as zeros (the virtual size is the source size rounded up to a logical
 * sector).
 *
 * <p>Identity: FileWriteGuid, DataWriteGuid and VirtualDiskId are derived from the source's
 * {@link BlockSource#identity()}, so the same image always gives the same bytes (a Hyper-V
 * differencing disk made on it keeps its parent linkage) and a changed image different ones.
 *
 * <p>A view carries a {@link VhdxUserItem} only when asked to: a lunport stub is such a view
 * with its source pointer as user item, and nothing else should look like a stub (an export
 * of a view must stand alone).
 *
 * <p>Memory cost: the present-block list (4 bytes per present block, less than the BAT) and a
 * few KiB of structures; building it walks the source's extents and reads no payload.
 *
 * <p>Locking contract: immutable after {@link #of}; reads are as thread-safe as the source's.
 * The view owns the source: {@link #close()} closes it, and must not race with reads.
 */
public final class VhdxView implements BlockSource {

    public static final String FORMAT_NAME = "vhdx-view";

    private final BlockSource source;
    private final VhdxFileLayout layout;
    private final PresentBlocks present;
    private final List<VhdxStructures.Piece> pieces;
    private final List<Extent> structureExtents;
    private final VhdxStructures.Guids guids;
    private final VhdxUserItem userItem;
    private final long firstPayload;
    private final long blockSize;

    private VhdxView(BlockSource source, VhdxFileLayout layout, PresentBlocks present, VhdxStructures.Guids guids,
                     VhdxUserItem userItem) {
        this.source = source;
        this.layout = layout;
        this.present = present;
        this.guids = guids;
        this.userItem = userItem;
        this.pieces = VhdxStructures.build(layout, guids, userItem);
        this.firstPayload = layout.firstPayloadOffset();
        this.blockSize = layout.blockSize();
        this.structureExtents = structureExtents(pieces, layout);
    }

    /** The plain VHDX view of {@code source}: no user item. */
    public static VhdxView of(BlockSource source, VhdxLayoutOptions options) throws IOException {
        return of(source, options, null);
    }

    /** The VHDX view of {@code source} carrying {@code userItem} (null: none) in its metadata. */
    public static VhdxView of(BlockSource source, VhdxLayoutOptions options, VhdxUserItem userItem) throws IOException {
        int sector = options.logicalSectorSize();
        long virtualSize = (source.size() + sector - 1) / sector * sector;
        if (virtualSize > VhdxMetadata.MAX_DISK_SIZE) {
            throw new IllegalArgumentException("a " + source.size() + "-byte disk is larger than VHDX allows (64 TiB)");
        }
        VhdxGuid diskId = derivedGuid(source.identity(), "virtual disk id");
        VhdxMetadata metadata = new VhdxMetadata(new VhdxFileParameters(options.blockSize(), false, false), virtualSize,
                diskId, sector, options.physicalSectorSize(), null);
        PresentBlocks present = PresentBlocks.scan(source, options.blockSize());
        VhdxFileLayout layout = new VhdxFileLayout(virtualSize, options.blockSize(), sector, options.physicalSectorSize(),
                metadata.chunkRatio(), metadata.payloadBlocks(), metadata.batEntries(), present.count());
        VhdxStructures.Guids guids = new VhdxStructures.Guids(derivedGuid(source.identity(), "file write guid"),
                derivedGuid(source.identity(), "data write guid"), diskId);
        return new VhdxView(source, layout, present, guids, userItem);
    }

    /**
     * A GUID that is a function of the source's identity and its purpose: the first 16 bytes
     * of SHA-256 over both, marked as a name-based (version 5 style) UUID.
     */
    static VhdxGuid derivedGuid(byte[] identity, String purpose) {
        MessageDigest sha = ImageIdentity.sha256();
        sha.update(("lunport vhdx view " + purpose + "|").getBytes(StandardCharsets.UTF_8));
        byte[] d = sha.digest(identity);
        d[6] = (byte) ((d[6] & 0x0f) | 0x50);
        d[8] = (byte) ((d[8] & 0x3f) | 0x80);
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = high << 8 | (d[i] & 0xff);
            low = low << 8 | (d[8 + i] & 0xff);
        }
        return new VhdxGuid(new UUID(high, low));
    }

    public VhdxFileLayout layout() {
        return layout;
    }

    /** The source whose disk this file holds. */
    public BlockSource source() {
        return source;
    }

    public VhdxGuid dataWriteGuid() {
        return guids.dataWrite();
    }

    public VhdxGuid virtualDiskId() {
        return guids.virtualDisk();
    }

    /** The file length. */
    @Override
    public long size() {
        return layout.fileLength();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        int limit = dst.limit();
        if (offset < 0 || offset > size() - dst.remaining()) {
            throw new IllegalArgumentException("range " + offset + "+" + dst.remaining() + " outside a "
                    + size() + "-byte VHDX view");
        }
        long position = offset;
        try {
            while (dst.position() < limit) {
                long n;
                if (position < layout.batOffset()) {
                    n = Math.min(limit - dst.position(), layout.batOffset() - position);
                    dst.limit(dst.position() + (int) n);
                    readStructures(position, dst);
                } else if (position < firstPayload) {
                    n = Math.min(limit - dst.position(), firstPayload - position);
                    dst.limit(dst.position() + (int) n);
                    readBat(position, dst);
                } else {
                    long inBlock = (position - firstPayload) % blockSize;
                    n = Math.min(limit - dst.position(), blockSize - inBlock);
                    dst.limit(dst.position() + (int) n);
                    readPayload(position, inBlock, dst);
                }
                dst.position(dst.limit());
                dst.limit(limit);
                position += n;
            }
        } finally {
            dst.limit(limit);
        }
    }

    /** Zeros, overlaid with the pieces that meet {@code [position, position + dst.remaining())}. */
    private void readStructures(long position, ByteBuffer dst) {
        int start = dst.position();
        long end = position + dst.remaining();
        RawBlockSource.zeroFill(dst);
        dst.position(start);
        for (VhdxStructures.Piece piece : pieces) {
            long from = Math.max(position, piece.offset());
            long to = Math.min(end, piece.offset() + piece.bytes().length);
            if (from < to) {
                dst.put(start + (int) (from - position), piece.bytes(), (int) (from - piece.offset()), (int) (to - from));
            }
        }
    }

    /**
     * BAT bytes, made entry by entry from the present-block list: zeros first (NOT_PRESENT
     * entries, bitmap entries and the region's padding past the last entry), then each present
     * entry as one little-endian long. Entry by entry, not byte by byte: the region is at least
     * a MiB, and an export reads all of it.
     */
    private void readBat(long position, ByteBuffer dst) {
        int start = dst.position();
        long from = position - layout.batOffset();
        long to = from + dst.remaining();
        RawBlockSource.zeroFill(dst);
        dst.position(start);
        boolean little = dst.order() == ByteOrder.LITTLE_ENDIAN;
        long entries = Math.min(layout.batEntries(), (to + VhdxBatEntry.LENGTH - 1) / VhdxBatEntry.LENGTH);
        for (long entry = from / VhdxBatEntry.LENGTH; entry < entries; entry++) {
            long value = batEntry(entry);
            if (value == 0) {
                continue;
            }
            long at = entry * VhdxBatEntry.LENGTH;
            if (at >= from && at + VhdxBatEntry.LENGTH <= to) {
                dst.putLong(start + (int) (at - from), little ? value : Long.reverseBytes(value));
                continue;
            }
            for (long i = Math.max(at, from); i < Math.min(at + VhdxBatEntry.LENGTH, to); i++) { // an entry cut by the range
                dst.put(start + (int) (i - from), (byte) (value >>> (8 * (i - at))));
            }
        }
    }

    /** BAT entry {@code index}: FULLY_PRESENT at its slot's offset, or 0 (NOT_PRESENT, and every bitmap entry). */
    long batEntry(long index) {
        long ratio = layout.chunkRatio();
        if (index >= layout.batEntries() || index % (ratio + 1) == ratio) {
            return 0;
        }
        long block = index - index / (ratio + 1);
        long slot = present.slotOf(block);
        if (slot < 0) {
            return 0;
        }
        return new VhdxBatEntry(VhdxBlockState.FULLY_PRESENT, layout.payloadOffset(slot) >>> 20).raw();
    }

    private void readPayload(long position, long inBlock, ByteBuffer dst) throws IOException {
        long virtual = present.block((position - firstPayload) / blockSize) * blockSize + inBlock;
        long fromSource = Math.max(0, Math.min(dst.remaining(), source.size() - virtual));
        if (fromSource > 0) {
            int end = dst.limit();
            dst.limit(dst.position() + (int) fromSource);
            source.read(virtual, dst);
            dst.limit(end);
        }
        RawBlockSource.zeroFill(dst);
    }

    /** DATA for the structures, the BAT and every stored block; ZERO for padding and the log. */
    @Override
    public List<Extent> extents(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size() - length) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " outside a " + size() + "-byte VHDX view");
        }
        Extents runs = new Extents();
        long end = offset + length;
        for (Extent e : structureExtents) {
            long from = Math.max(offset, e.offset());
            long to = Math.min(end, e.end());
            runs.add(from, to - from, e.kind());
        }
        long from = Math.max(offset, firstPayload);
        runs.add(from, end - from, Extent.Kind.DATA);
        return runs.build();
    }

    /**
     * Like {@link #extents}, but inside each stored block the source's own runs show through:
     * ZERO where the source reads zeros (its ZERO and UNALLOCATED runs, and the part of the
     * last block past the source's end), DATA elsewhere. For a copy of the file that need not
     * write zeros (an export into a file allocated beforehand); {@link #extents} keeps every
     * stored block DATA, as a file system serving the view shows it. Asks the source for the
     * extents of the blocks in the range, block by block.
     */
    public List<Extent> extentsInsideBlocks(long offset, long length) throws IOException {
        Extents runs = new Extents();
        long end = offset + length;
        for (Extent e : extents(offset, length)) { // the structures as they are; the blocks below
            if (e.offset() < firstPayload) {
                runs.add(e.offset(), Math.min(e.end(), firstPayload) - e.offset(), e.kind());
            }
        }
        for (long at = Math.max(offset, firstPayload); at < end; ) {
            long slot = (at - firstPayload) / blockSize;
            long blockEnd = Math.min(end, firstPayload + (slot + 1) * blockSize);
            long virtual = present.block(slot) * blockSize + (at - firstPayload) % blockSize;
            long fromSource = Math.max(0, Math.min(blockEnd - at, source.size() - virtual));
            if (fromSource > 0) {
                for (Extent e : source.extents(virtual, fromSource)) {
                    runs.add(at + e.offset() - virtual, e.length(),
                            e.kind() == Extent.Kind.DATA ? Extent.Kind.DATA : Extent.Kind.ZERO);
                }
            }
            runs.add(at + fromSource, blockEnd - at - fromSource, Extent.Kind.ZERO);
            at = blockEnd;
        }
        return runs.build();
    }

    private static List<Extent> structureExtents(List<VhdxStructures.Piece> pieces, VhdxFileLayout layout) {
        List<Extent> runs = new ArrayList<>();
        long at = 0;
        for (VhdxStructures.Piece piece : pieces) {
            if (piece.offset() > at) {
                runs.add(new Extent(at, piece.offset() - at, Extent.Kind.ZERO));
            }
            runs.add(new Extent(piece.offset(), piece.span(), Extent.Kind.DATA));
            at = piece.end();
        }
        if (layout.batOffset() > at) {
            runs.add(new Extent(at, layout.batOffset() - at, Extent.Kind.ZERO));
        }
        runs.add(new Extent(layout.batOffset(), layout.batLength(), Extent.Kind.DATA));
        return List.copyOf(runs);
    }

    @Override
    public byte[] identity() {
        MessageDigest sha = ImageIdentity.sha256();
        sha.update((FORMAT_NAME + "|" + layout.blockSize() + "|" + layout.logicalSectorSize() + "|"
                + layout.physicalSectorSize() + "|").getBytes(StandardCharsets.UTF_8));
        if (userItem != null) {
            sha.update(userItem.content());
        }
        return sha.digest(source.identity());
    }

    @Override
    public String formatName() {
        return FORMAT_NAME;
    }

    @Override
    public SourceInfo describe() throws IOException {
        SourceInfo below = source.describe();
        Map<String, String> details = new LinkedHashMap<>();
        details.put("logical sector size", Integer.toString(layout.logicalSectorSize()));
        details.put("physical sector size", Integer.toString(layout.physicalSectorSize()));
        details.put("virtual disk size", Long.toString(layout.virtualSize()));
        details.put("present blocks", layout.payloadBlocks() + " of " + layout.totalBlocks());
        details.put("virtual disk id", guids.virtualDisk().toString());
        details.put("data write guid", guids.dataWrite().toString());
        return new SourceInfo(below.file(), FORMAT_NAME, size(), layout.blockSize(), null,
                layout.payloadBlocks() * layout.blockSize(), details, below);
    }

    @Override
    public void close() throws IOException {
        source.close();
    }
}
