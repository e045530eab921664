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

    /**
     * Per WRITE ATOMIC(16) (MAXIMUM ATOMIC TRANSFER LENGTH): 1 MiB, what libiscsi's tests write
     * (256 blocks) even at 4096-byte blocks, while the LU's other writers wait for it.
     */
    public static final int MAX_ATOMIC_TRANSFER_BYTES = 1 << 20;

    public static int maxAtomicTransferBlocks(LogicalUnit unit) {
        return MAX_ATOMIC_TRANSFER_BYTES >>> unit.blockShift();
    }

    /**
     * ATOMIC ALIGNMENT and ATOMIC TRANSFER LENGTH GRANULARITY: whole physical blocks, so that an
     * atomic write never shares a physical block (an overlay grain) with a write that is not.
     */
    public static int atomicGranularityBlocks(LogicalUnit unit) {
        return 1 << unit.physicalBlockExponent();
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
