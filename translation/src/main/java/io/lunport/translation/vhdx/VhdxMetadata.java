package io.lunport.translation.vhdx;

/**
 * The system metadata items of a VHDX, and the BAT layout they imply.
 *
 * @param parentLocator the parent locator of a differencing disk, else null
 */
public record VhdxMetadata(VhdxFileParameters fileParameters, long virtualDiskSize, VhdxGuid virtualDiskId,
                           int logicalSectorSize, int physicalSectorSize, VhdxParentLocator parentLocator) {

    public static final VhdxGuid VIRTUAL_DISK_SIZE = VhdxGuid.of("2FA54224-CD1B-4876-B211-5DBED83BF4B8");
    public static final VhdxGuid VIRTUAL_DISK_ID = VhdxGuid.of("BECA12AB-B2E6-4523-93EF-C309E000C746");
    public static final VhdxGuid LOGICAL_SECTOR_SIZE = VhdxGuid.of("8141BF1D-A96F-4709-BA47-F233A8FAAB5F");
    public static final VhdxGuid PHYSICAL_SECTOR_SIZE = VhdxGuid.of("CDA348C7-445D-4471-9CC9-E9885251C556");
    /** The largest virtual disk the format allows. */
    public static final long MAX_DISK_SIZE = 64L << 40;
    /** Sectors one sector-bitmap block (1 MiB) describes. */
    public static final long SECTORS_PER_BITMAP = 1L << 23;
    public static final int BITMAP_BLOCK = 1 << 20;

    public long blockSize() {
        return fileParameters.blockSize();
    }

    /** Payload blocks per sector-bitmap block: the BAT holds one bitmap entry after each run of this many. */
    public long chunkRatio() {
        return SECTORS_PER_BITMAP * logicalSectorSize / blockSize();
    }

    public long payloadBlocks() {
        return (virtualDiskSize + blockSize() - 1) / blockSize();
    }

    /** BAT entries the region must hold: differencing disks need the bitmap entry of the last chunk too. */
    public long batEntries() {
        long n = payloadBlocks();
        if (fileParameters.hasParent()) {
            return (n + chunkRatio() - 1) / chunkRatio() * (chunkRatio() + 1);
        }
        return n == 0 ? 0 : n + (n - 1) / chunkRatio();
    }

    public long payloadEntryIndex(long block) {
        return block + block / chunkRatio();
    }

    public long bitmapEntryIndex(long block) {
        return block / chunkRatio() * (chunkRatio() + 1) + chunkRatio();
    }
}
