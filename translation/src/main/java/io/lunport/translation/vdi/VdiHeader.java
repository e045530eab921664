package io.lunport.translation.vdi;

import io.lunport.translation.ImageFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The VirtualBox VDI header (version 1.1), as far as reading needs it, checked against the
 * file it came from. Offsets below are from the start of the file; all fields little-endian.
 *
 * @param type            {@link #TYPE_DYNAMIC} or {@link #TYPE_STATIC}
 * @param blockMapOffset  where the block map (one u32 per block) starts
 * @param dataOffset      where block 0 of the data area starts
 * @param diskSize        virtual size in bytes (rounded down to whole sectors, as qemu does)
 * @param blockSize       bytes of disk data per block (1 MiB normally)
 * @param blockExtra      bytes stored before each block's data (0 normally)
 * @param blocks          blocks in the image (entries in the block map)
 * @param blocksAllocated blocks with data, as the header counts them
 */
public record VdiHeader(int type, long blockMapOffset, long dataOffset, long diskSize, int blockSize, int blockExtra,
                        int blocks, int blocksAllocated) {

    public static final int SIGNATURE = 0xbeda107f;
    static final int SIGNATURE_OFFSET = 0x40;
    static final int VERSION_1_1 = 0x00010001;
    static final int TYPE_DYNAMIC = 1;
    static final int TYPE_STATIC = 2;
    /** The header fields end with the parent UUID at 0x1b8..0x1c8. */
    static final int LENGTH = 0x1c8;
    /** More blocks than this would make the block map alone larger than 4 GiB. */
    static final int MAX_BLOCKS = 0x3fffffff;
    static final int MAX_BLOCK_SIZE = 256 * 1024 * 1024;

    /** Whether {@code head} (the file's first bytes) carries the VDI signature. */
    static boolean hasSignature(ByteBuffer head) {
        return head.limit() >= SIGNATURE_OFFSET + 4
                && head.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(SIGNATURE_OFFSET) == SIGNATURE;
    }

    /** Parses and checks the header in {@code head}, for a file of {@code fileSize} bytes. */
    static VdiHeader parse(Path file, ByteBuffer head, long fileSize) throws ImageFormatException {
        if (head.limit() < LENGTH) {
            throw new ImageFormatException(file, head.limit(), "header", "file ends before the " + LENGTH + "-byte VDI header does");
        }
        ByteBuffer h = head.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (h.getInt(SIGNATURE_OFFSET) != SIGNATURE) {
            throw new ImageFormatException(file, SIGNATURE_OFFSET, "signature", "not 0xbeda107f");
        }
        int version = h.getInt(0x44);
        if (version != VERSION_1_1) {
            throw new ImageFormatException(file, 0x44, "version",
                    "version " + (version >>> 16) + "." + (version & 0xffff) + " is not supported (only 1.1)");
        }
        int type = h.getInt(0x4c);
        if (type != TYPE_DYNAMIC && type != TYPE_STATIC) {
            throw new ImageFormatException(file, 0x4c, "image type", "type " + type
                    + " is not supported (1 dynamic and 2 static are; undo and differencing images are not)");
        }
        long blockMapOffset = Integer.toUnsignedLong(h.getInt(0x154));
        long dataOffset = Integer.toUnsignedLong(h.getInt(0x158));
        int sectorSize = h.getInt(0x168);
        long diskSize = h.getLong(0x170);
        int blockSize = h.getInt(0x178);
        int blockExtra = h.getInt(0x17c);
        int blocks = h.getInt(0x180);
        int blocksAllocated = h.getInt(0x184);
        if (sectorSize != 512) {
            throw new ImageFormatException(file, 0x168, "sector size", sectorSize + " is not 512");
        }
        if (blockSize < 512 || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1) {
            throw new ImageFormatException(file, 0x178, "block size", Integer.toUnsignedString(blockSize)
                    + " is not a power of two between 512 and " + MAX_BLOCK_SIZE);
        }
        if (blockExtra < 0 || blockExtra > blockSize || blockExtra % 512 != 0) {
            throw new ImageFormatException(file, 0x17c, "block extra", Integer.toUnsignedString(blockExtra)
                    + " is not a multiple of 512 up to the block size");
        }
        if (blocks < 0 || blocks > MAX_BLOCKS) {
            throw new ImageFormatException(file, 0x180, "blocks in image", Integer.toUnsignedString(blocks)
                    + " is more than " + MAX_BLOCKS);
        }
        if (diskSize < 0 || diskSize > (long) blocks * blockSize) {
            throw new ImageFormatException(file, 0x170, "disk size", Long.toUnsignedString(diskSize)
                    + " does not fit in " + blocks + " blocks of " + blockSize + " bytes");
        }
        if (blocksAllocated < 0 || blocksAllocated > blocks) {
            throw new ImageFormatException(file, 0x184, "blocks allocated", Integer.toUnsignedString(blocksAllocated)
                    + " is more than the " + blocks + " blocks in the image");
        }
        if (blockMapOffset % 512 != 0 || blockMapOffset < LENGTH || blockMapOffset + 4L * blocks > fileSize) {
            throw new ImageFormatException(file, 0x154, "block map offset", "a map of " + blocks + " entries at "
                    + blockMapOffset + " does not fit in the file of " + fileSize + " bytes (or is not sector-aligned)");
        }
        if (dataOffset % 512 != 0 || dataOffset < blockMapOffset + 4L * blocks || dataOffset > fileSize) {
            throw new ImageFormatException(file, 0x158, "data offset", dataOffset
                    + " is not sector-aligned, overlaps the block map or lies past the end of the file (" + fileSize + " bytes)");
        }
        if (h.getLong(0x1a8) != 0 || h.getLong(0x1b0) != 0 || h.getLong(0x1b8) != 0 || h.getLong(0x1c0) != 0) {
            throw new ImageFormatException(file, 0x1a8, "link/parent UUID",
                    "differencing VDI images (with a link or parent UUID) are not supported");
        }
        return new VdiHeader(type, blockMapOffset, dataOffset, diskSize & ~511L, blockSize, blockExtra, blocks,
                blocksAllocated);
    }

    String typeName() {
        return type == TYPE_STATIC ? "static" : "dynamic";
    }
}
