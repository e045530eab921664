package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import java.nio.file.Path;

/** The File Parameters metadata item: block size and the two flags. */
public record VhdxFileParameters(long blockSize, boolean leaveBlocksAllocated, boolean hasParent) {

    public static final VhdxGuid ID = VhdxGuid.of("CAA16737-FA36-4D43-B3B6-33F0AA44E76B");
    public static final int LENGTH = 8;
    public static final long MIN_BLOCK_SIZE = 1L << 20;
    public static final long MAX_BLOCK_SIZE = 256L << 20;

    /** The item's 8 bytes as stored. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        Le.put32(b, 0, blockSize);
        Le.put32(b, 4, (leaveBlocksAllocated ? 1 : 0) | (hasParent ? 2 : 0));
        return b;
    }

    public static VhdxFileParameters parse(byte[] b, Path file, long offset) throws ImageFormatException {
        long blockSize = Le.u32(b, 0);
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Long.bitCount(blockSize) != 1) {
            throw new ImageFormatException(file, offset, "file parameters block size",
                    blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        long flags = Le.u32(b, 4);
        return new VhdxFileParameters(blockSize, (flags & 1) != 0, (flags & 2) != 0);
    }
}
