package io.lunport.translation.vhdx.synth;

import io.lunport.translation.vhdx.Le;
import io.lunport.translation.vhdx.VhdxFileParameters;
import io.lunport.translation.vhdx.VhdxFormat;
import io.lunport.translation.vhdx.VhdxGuid;
import io.lunport.translation.vhdx.VhdxHeader;
import io.lunport.translation.vhdx.VhdxMetadata;
import io.lunport.translation.vhdx.VhdxMetadataTable;
import io.lunport.translation.vhdx.VhdxRegionTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of a synthesized VHDX before its BAT: file identifier, both headers, both region
 * tables and the metadata region, as {@link Piece}s at their file offsets. Everything between
 * pieces (the log among it) is zeros.
 *
 * <p>The two headers differ only in their sequence numbers (1 and 2), so the second is
 * current; both region tables are identical. System metadata items carry the flags qemu and
 * Hyper-V write (File Parameters IsRequired, the others IsVirtualDisk and IsRequired).
 *
 * <p>Memory cost: the pieces without their trailing zeros, a few KiB plus the user item.
 */
final class VhdxStructures {

    /** The creator string of the file identifier: informational, no reader checks it. */
    static final String CREATOR = "lunport";
    static final long FIRST_SEQUENCE_NUMBER = 1;
    private static final int SYSTEM_ITEMS_OFFSET = VhdxMetadataTable.LENGTH;

    /**
     * Bytes at a file offset.
     *
     * @param span  the length of the structure these bytes begin (its extent is DATA)
     * @param bytes the structure's bytes without trailing zeros (the rest of the span reads zero)
     */
    record Piece(long offset, long span, byte[] bytes) {
        static Piece of(long offset, long span, byte[] full) {
            int length = full.length;
            while (length > 0 && full[length - 1] == 0) {
                length--;
            }
            return new Piece(offset, span, Arrays.copyOf(full, length));
        }

        long end() {
            return offset + span;
        }
    }

    /** The GUIDs a synthesized file carries, all derived from the source's identity. */
    record Guids(VhdxGuid fileWrite, VhdxGuid dataWrite, VhdxGuid virtualDisk) {
    }

    private VhdxStructures() {
    }

    /** The pieces in file order. {@code userItem} may be null. */
    static List<Piece> build(VhdxFileLayout layout, Guids guids, VhdxUserItem userItem) {
        List<Piece> pieces = new ArrayList<>();
        pieces.add(Piece.of(0, VhdxHeader.HEADER1_OFFSET, identifier()));
        pieces.add(Piece.of(VhdxHeader.HEADER1_OFFSET, VhdxHeader.LENGTH, header(layout, guids, FIRST_SEQUENCE_NUMBER)));
        pieces.add(Piece.of(VhdxHeader.HEADER2_OFFSET, VhdxHeader.LENGTH, header(layout, guids, FIRST_SEQUENCE_NUMBER + 1)));
        byte[] regions = regionTable(layout);
        pieces.add(Piece.of(VhdxRegionTable.TABLE1_OFFSET, VhdxRegionTable.LENGTH, regions));
        pieces.add(Piece.of(VhdxRegionTable.TABLE2_OFFSET, VhdxRegionTable.LENGTH, regions));
        byte[] metadata = metadataRegion(layout, guids, userItem);
        pieces.add(Piece.of(layout.metadataOffset(), roundUp(metadata.length, 4096), metadata));
        return List.copyOf(pieces);
    }

    private static byte[] identifier() {
        byte[] b = new byte[8 + 512];
        System.arraycopy(VhdxFormat.IDENTIFIER, 0, b, 0, VhdxFormat.IDENTIFIER.length);
        byte[] creator = CREATOR.getBytes(StandardCharsets.UTF_16LE);
        System.arraycopy(creator, 0, b, 8, creator.length);
        return b;
    }

    private static byte[] header(VhdxFileLayout layout, Guids guids, long sequenceNumber) {
        return new VhdxHeader(0, sequenceNumber, guids.fileWrite(), guids.dataWrite(), VhdxGuid.ZERO, 0, 1,
                layout.logLength(), layout.logOffset()).encode();
    }

    private static byte[] regionTable(VhdxFileLayout layout) {
        return new VhdxRegionTable(0, List.of(
                new VhdxRegionTable.Entry(VhdxRegionTable.BAT, layout.batOffset(), layout.batLength(), true),
                new VhdxRegionTable.Entry(VhdxRegionTable.METADATA, layout.metadataOffset(), layout.metadataLength(), true)))
                .encode();
    }

    /** The metadata table, then the items one after another from 64 KiB on. */
    private static byte[] metadataRegion(VhdxFileLayout layout, Guids guids, VhdxUserItem userItem) {
        byte[] parameters = new VhdxFileParameters(layout.blockSize(), false, false).encode();
        byte[] size = new byte[8];
        Le.put64(size, 0, layout.virtualSize());
        byte[] diskId = new byte[16];
        guids.virtualDisk().write(diskId, 0);
        byte[] logical = new byte[4];
        Le.put32(logical, 0, layout.logicalSectorSize());
        byte[] physical = new byte[4];
        Le.put32(physical, 0, layout.physicalSectorSize());

        List<VhdxMetadataTable.Item> items = new ArrayList<>();
        List<byte[]> contents = new ArrayList<>();
        int at = SYSTEM_ITEMS_OFFSET;
        at = add(items, contents, at, VhdxFileParameters.ID, parameters, false, false);
        at = add(items, contents, at, VhdxMetadata.VIRTUAL_DISK_SIZE, size, false, true);
        at = add(items, contents, at, VhdxMetadata.VIRTUAL_DISK_ID, diskId, false, true);
        at = add(items, contents, at, VhdxMetadata.LOGICAL_SECTOR_SIZE, logical, false, true);
        at = add(items, contents, at, VhdxMetadata.PHYSICAL_SECTOR_SIZE, physical, false, true);
        if (userItem != null) {
            at = add(items, contents, at, userItem.id(), userItem.content(), true, false);
        }
        if (at > layout.metadataLength()) {
            throw new IllegalArgumentException("metadata items of " + at + " bytes do not fit the "
                    + layout.metadataLength() + "-byte metadata region");
        }
        byte[] region = new byte[at];
        byte[] table = new VhdxMetadataTable(items).encode();
        System.arraycopy(table, 0, region, 0, table.length);
        for (int i = 0; i < items.size(); i++) {
            byte[] content = contents.get(i);
            System.arraycopy(content, 0, region, (int) items.get(i).offset(), content.length);
        }
        return region;
    }

    /** Adds an item at {@code at}; user items are never required, system items always are. */
    private static int add(List<VhdxMetadataTable.Item> items, List<byte[]> contents, int at, VhdxGuid id, byte[] content,
                           boolean user, boolean virtualDisk) {
        items.add(new VhdxMetadataTable.Item(id, at, content.length, user, virtualDisk, !user));
        contents.add(content);
        return at + content.length;
    }

    private static long roundUp(long value, long unit) {
        return (value + unit - 1) / unit * unit;
    }
}
