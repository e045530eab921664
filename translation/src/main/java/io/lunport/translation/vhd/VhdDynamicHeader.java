package io.lunport.translation.vhd;

import io.lunport.translation.ImageFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 1024-byte dynamic disk header ("cxsparse", big-endian) of dynamic and differencing VHDs.
 *
 * @param tableOffset     file offset of the block allocation table (BAT)
 * @param maxTableEntries entries in the BAT (u32)
 * @param blockSize       bytes of data per block (2 MiB by default)
 * @param parentUniqueId  the parent footer's unique id (differencing disks)
 * @param parentName      the parent's file name as stored (UTF-16BE), "" when none
 */
public record VhdDynamicHeader(long tableOffset, int headerVersion, long maxTableEntries, long blockSize, int checksum,
                               byte[] parentUniqueId, int parentTimestamp, String parentName,
                               List<VhdParentLocator> parentLocators) {

    public static final int LENGTH = 1024;
    private static final byte[] COOKIE = "cxsparse".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKSUM_OFFSET = 36;
    /** Larger blocks than this exist nowhere; the limit keeps every in-block offset an int. */
    static final long MAX_BLOCK_SIZE = 1L << 30;

    public static VhdDynamicHeader parse(byte[] bytes, Path file, long offset) throws ImageFormatException {
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (!Arrays.equals(bytes, 0, 8, COOKIE, 0, 8)) {
            throw new ImageFormatException(file, offset, "dynamic header cookie", "is not 'cxsparse'");
        }
        int checksum = b.getInt(CHECKSUM_OFFSET);
        int computed = VhdChecksum.compute(bytes, CHECKSUM_OFFSET);
        if (checksum != computed) {
            throw new ImageFormatException(file, offset + CHECKSUM_OFFSET, "dynamic header checksum",
                    String.format("is 0x%08x, the header sums to 0x%08x", checksum, computed));
        }
        long blockSize = b.getInt(32) & 0xffffffffL;
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new ImageFormatException(file, offset + 32, "dynamic header block size",
                    blockSize + " is not a power of two between 512 and " + MAX_BLOCK_SIZE);
        }
        String parentName = new String(bytes, 64, 512, StandardCharsets.UTF_16BE);
        int nul = parentName.indexOf('\0');
        if (nul >= 0) {
            parentName = parentName.substring(0, nul);
        }
        List<VhdParentLocator> locators = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            locators.add(VhdParentLocator.parse(b, 576 + i * VhdParentLocator.LENGTH));
        }
        return new VhdDynamicHeader(b.getLong(16), b.getInt(24), b.getInt(28) & 0xffffffffL, blockSize, checksum,
                Arrays.copyOfRange(bytes, 40, 56), b.getInt(56), parentName, List.copyOf(locators));
    }

    /** Bytes of each block's sector bitmap: one bit per 512-byte sector, padded to whole sectors. */
    public int bitmapSize() {
        return (int) ((blockSize / (8 * 512) + 511) & ~511L);
    }
}
