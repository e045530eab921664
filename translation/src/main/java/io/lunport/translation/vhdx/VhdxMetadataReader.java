package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;
import java.util.Optional;
import java.util.Set;

/** Reads the metadata table and the system items out of the metadata region, checking every offset. */
final class VhdxMetadataReader {

    private static final Set<VhdxGuid> KNOWN = Set.of(VhdxFileParameters.ID, VhdxMetadata.VIRTUAL_DISK_SIZE,
            VhdxMetadata.VIRTUAL_DISK_ID, VhdxMetadata.LOGICAL_SECTOR_SIZE, VhdxMetadata.PHYSICAL_SECTOR_SIZE,
            VhdxParentLocator.ID);

    private VhdxMetadataReader() {
    }

    static VhdxMetadata read(ImageFile file, VhdxRegionTable.Entry region) throws IOException {
        long at = region.fileOffset();
        if (region.length() < VhdxMetadataTable.LENGTH) {
            throw new ImageFormatException(file.path(), VhdxRegionTable.TABLE1_OFFSET, "metadata region length",
                    region.length() + " bytes cannot hold the 64 KiB metadata table");
        }
        VhdxMetadataTable table = VhdxMetadataTable.parse(file.readBytes(at, VhdxMetadataTable.LENGTH), file.path(), at);
        for (VhdxMetadataTable.Item item : table.items()) {
            if (item.isRequired() && !item.isUser() && !KNOWN.contains(item.id())) {
                throw new ImageFormatException(file.path(), at, "metadata item " + item.id(), "is required but unknown");
            }
        }
        VhdxFileParameters parameters = VhdxFileParameters.parse(item(file, region, table, VhdxFileParameters.ID,
                "file parameters", VhdxFileParameters.LENGTH), file.path(), offsetOf(region, table, VhdxFileParameters.ID));
        long size = Le.u64(item(file, region, table, VhdxMetadata.VIRTUAL_DISK_SIZE, "virtual disk size", 8), 0);
        if (size < 0 || size > VhdxMetadata.MAX_DISK_SIZE) {
            throw new ImageFormatException(file.path(), offsetOf(region, table, VhdxMetadata.VIRTUAL_DISK_SIZE),
                    "virtual disk size", Long.toUnsignedString(size) + " is more than 64 TiB");
        }
        VhdxGuid id = VhdxGuid.parse(item(file, region, table, VhdxMetadata.VIRTUAL_DISK_ID, "virtual disk id", 16), 0);
        int logical = sectorSize(file, region, table, VhdxMetadata.LOGICAL_SECTOR_SIZE, "logical sector size");
        int physical = sectorSize(file, region, table, VhdxMetadata.PHYSICAL_SECTOR_SIZE, "physical sector size");
        VhdxParentLocator locator = null;
        if (parameters.hasParent()) {
            locator = VhdxParentLocator.parse(item(file, region, table, VhdxParentLocator.ID, "parent locator", 20),
                    file.path(), offsetOf(region, table, VhdxParentLocator.ID));
        }
        return new VhdxMetadata(parameters, size, id, logical, physical, locator);
    }

    private static int sectorSize(ImageFile file, VhdxRegionTable.Entry region, VhdxMetadataTable table, VhdxGuid id,
                                  String name) throws IOException {
        long value = Le.u32(item(file, region, table, id, name, 4), 0);
        if (value != 512 && value != 4096) {
            throw new ImageFormatException(file.path(), offsetOf(region, table, id), name, value + " is neither 512 nor 4096");
        }
        return (int) value;
    }

    private static long offsetOf(VhdxRegionTable.Entry region, VhdxMetadataTable table, VhdxGuid id) {
        return region.fileOffset() + table.system(id).map(VhdxMetadataTable.Item::offset).orElse(0L);
    }

    /** The bytes of a required system item, at least {@code minLength} of them, all inside the region. */
    private static byte[] item(ImageFile file, VhdxRegionTable.Entry region, VhdxMetadataTable table, VhdxGuid id,
                               String name, int minLength) throws IOException {
        VhdxMetadataTable.Item item = table.system(id).orElseThrow(() -> new ImageFormatException(file.path(),
                region.fileOffset(), "metadata item " + name, "is missing"));
        return itemBytes(file, region, item, name, minLength);
    }

    /** The user item {@code id} (its file offset and bytes, checked to lie inside the region), if the table has one. */
    static Optional<VhdxBlockSource.StoredItem> userItem(ImageFile file, VhdxRegionTable.Entry region, VhdxGuid id, String name)
            throws IOException {
        VhdxMetadataTable table = VhdxMetadataTable.parse(file.readBytes(region.fileOffset(), VhdxMetadataTable.LENGTH),
                file.path(), region.fileOffset());
        Optional<VhdxMetadataTable.Item> item = table.user(id);
        if (item.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new VhdxBlockSource.StoredItem(region.fileOffset() + item.get().offset(),
                itemBytes(file, region, item.get(), name, 1)));
    }

    private static byte[] itemBytes(ImageFile file, VhdxRegionTable.Entry region, VhdxMetadataTable.Item item, String name,
                                    int minLength) throws IOException {
        if (item.length() < minLength || item.length() > VhdxMetadataTable.MAX_ITEM_LENGTH
                || item.offset() < VhdxMetadataTable.LENGTH || item.offset() + item.length() > region.length()) {
            throw new ImageFormatException(file.path(), region.fileOffset(), "metadata item " + name,
                    item.length() + " bytes at region offset " + item.offset() + " do not fit the "
                            + region.length() + "-byte metadata region");
        }
        return file.readBytes(region.fileOffset() + item.offset(), (int) item.length());
    }
}
