package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;

/**
 * The limits lunport advertises in the Block Limits VPD page and enforces on every block
 * command, kept in one place so that the two never disagree.
 */
public final class BlockLimits {

    /**
     * 16 MiB per command: far above what initiators send (Windows 256 KiB, Linux 512 KiB to
     * 4 MiB), low enough that one command cannot pin an unbounded buffer; also keeps
     * blocks * block size well inside an int.
     */
    public static final int MAX_TRANSFER_BYTES = 16 << 20;

    /** What sequential streams should use: 1 MiB, fio's and qemu's common request size. */
    public static final int OPTIMAL_TRANSFER_BYTES = 1 << 20;

    /** Per UNMAP command; libiscsi checks that an explicit limit stays at or below 1M blocks. */
    public static final int MAX_UNMAP_BLOCKS = 1 << 20;
    public static final int MAX_UNMAP_DESCRIPTORS = 256;

    /**
     * NUMBER OF LOGICAL BLOCKS one COMPARE AND WRITE may carry (Block Limits byte 5). One block is
     * what Windows and ESXi ATS send, and it keeps short the time a COMPARE AND WRITE holds the
     * LU's medium lock exclusively, stalling the LU's other writers.
     */
    public static final int MAX_COMPARE_AND_WRITE_BLOCKS = 1;

    /**
     * Per WRITE SAME command (MAXIMUM WRITE SAME LENGTH): the same bound as a WRITE, because
     * initiators (libiscsi's tests among them) assume a WRITE of that many blocks works too.
     */
    public static int maxWriteSameBlocks(LogicalUnit unit) {
        return maxTransferBlocks(unit);
    }

    private BlockLimits() {
    }

    public static int maxTransferBlocks(LogicalUnit unit) {
        return MAX_TRANSFER_BYTES >>> unit.blockShift();
    }

    public static int optimalTransferBlocks(LogicalUnit unit) {
        return OPTIMAL_TRANSFER_BYTES >>> unit.blockShift();
    }
}
