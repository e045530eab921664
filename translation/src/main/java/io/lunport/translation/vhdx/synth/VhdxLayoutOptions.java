package io.lunport.translation.vhdx.synth;

import io.lunport.translation.vhdx.VhdxFileParameters;

/**
 * How a synthesized VHDX is laid out: its block size and the sector sizes its metadata
 * announces. The logical sector size should match the LUN the disk is served as.
 */
public record VhdxLayoutOptions(int blockSize, int logicalSectorSize, int physicalSectorSize) {

    /** Hyper-V's and qemu's default block size. */
    public static final int DEFAULT_BLOCK_SIZE = 32 << 20;
    public static final int DEFAULT_PHYSICAL_SECTOR_SIZE = 4096;

    public VhdxLayoutOptions {
        if (blockSize < VhdxFileParameters.MIN_BLOCK_SIZE || blockSize > VhdxFileParameters.MAX_BLOCK_SIZE
                || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("VHDX block size " + blockSize + " is not a power of two from 1 MiB to 256 MiB");
        }
        checkSectorSize("logical", logicalSectorSize);
        checkSectorSize("physical", physicalSectorSize);
    }

    /** 32 MiB blocks, 4096-byte physical sectors, and the given logical sector size (512 or 4096). */
    public static VhdxLayoutOptions defaults(int logicalSectorSize) {
        return new VhdxLayoutOptions(DEFAULT_BLOCK_SIZE, logicalSectorSize, DEFAULT_PHYSICAL_SECTOR_SIZE);
    }

    private static void checkSectorSize(String which, int size) {
        if (size != 512 && size != 4096) {
            throw new IllegalArgumentException("VHDX " + which + " sector size " + size + " is neither 512 nor 4096");
        }
    }
}
