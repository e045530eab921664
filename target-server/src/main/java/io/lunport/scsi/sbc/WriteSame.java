package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.MediumLock;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * WRITE SAME(10) and (16) (SBC-3 5.42, 5.43): one block of data-out repeated over a range.
 *
 * <p>The UNMAP bit is refused on a device that cannot deallocate (B2 does not offer it there).
 * With the UNMAP bit on a device that can deallocate, and a block of zeros (or NDOB), the
 * range is deallocated: LBPRZ promises deallocated blocks read as zeros, so the result is the
 * same and no space is spent. A non-zero block with UNMAP is written, which SBC-3 allows.
 * ANCHOR is refused (ANC_SUP is 0); a NUMBER OF LOGICAL BLOCKS of 0 is refused because the
 * Block Limits page sets WSNZ.
 */
public final class WriteSame implements CommandHandler {

    public static final WriteSame TEN = new WriteSame(BlockCdbLayout.TEN, false);
    public static final WriteSame SIXTEEN = new WriteSame(BlockCdbLayout.SIXTEEN, true);

    private static final int WRPROTECT_MASK = 0xE0;
    private static final int ANCHOR = 0x10;
    private static final int UNMAP = 0x08;
    private static final int NDOB = 0x01;
    /** Data written per device call when the pattern is really written. */
    private static final int CHUNK_BYTES = 1 << 20;

    private final BlockCdbLayout layout;
    private final boolean sixteen;

    private WriteSame(BlockCdbLayout layout, boolean sixteen) {
        this.layout = layout;
        this.sixteen = sixteen;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int flags = Cdb.u8(cdb, 1);
        if ((flags & WRPROTECT_MASK) != 0) {
            throw ScsiException.invalidCdbField(1, 7);
        }
        if ((flags & ANCHOR) != 0) {
            throw ScsiException.invalidCdbField(1, 4);
        }
        boolean ndob = sixteen && (flags & NDOB) != 0;
        boolean unmap = (flags & UNMAP) != 0;
        if (unmap && !unit.device().supportsDeallocate() && !unit.isReadOnly()) {
            // LBPWS/LBPWS10 are clear on such a LU: the UNMAP bit is a field it does not support.
            // A write-protected LU says so first (below), whatever the bit: nothing may change.
            throw ScsiException.invalidCdbField(1, 3);
        }
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        if (blocks == 0) {
            throw ScsiException.invalidCdbField(layout.lengthIndex(), -1); // WSNZ
        }
        if (blocks > BlockLimits.maxWriteSameBlocks(unit)) {
            throw ScsiException.invalidCdbField(layout.lengthIndex(), -1);
        }
        BlockAccess.checkRange(unit, lba, blocks);
        BlockAccess.checkWritable(unit);
        int blockSize = unit.logicalBlockSize();
        ByteBuffer block;
        if (ndob) {
            block = ByteBuffer.allocate(blockSize);
        } else {
            // The data-out is exactly one logical block (SBC-3 5.42); anything else is refused, as tgt does.
            if (task.expectedDataTransferLength() != blockSize) {
                throw ScsiException.invalidCdbField(layout.lengthIndex(), -1);
            }
            block = task.dataOut(blockSize);
            if (block.limit() < blockSize) {
                throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
            }
        }
        if (unmap && isZero(block, blockSize)) {
            // Deallocating is a write like any other for COMPARE AND WRITE (see MediumLock).
            MediumLock lock = unit.mediumLock();
            long stamp = lock.lockShared();
            try {
                unit.device().deallocate(lba << unit.blockShift(), blocks << unit.blockShift());
            } catch (IOException e) {
                throw BlockAccess.mediumError(unit, SenseData.ASC_WRITE_ERROR, lba, e);
            } finally {
                lock.unlockShared(stamp);
            }
            return;
        }
        writePattern(unit, lba, blocks, block, blockSize);
    }

    private static void writePattern(LogicalUnit unit, long lba, long blocks, ByteBuffer block, int blockSize)
            throws ScsiException {
        boolean forceUnitAccess = !unit.modeParameters().writeCacheEnabled();
        int chunkBlocks = (int) Math.min(blocks, CHUNK_BYTES / blockSize);
        ByteBuffer chunk = ByteBuffer.allocate(chunkBlocks * blockSize);
        for (int i = 0; i < chunkBlocks; i++) {
            chunk.put(i * blockSize, block, 0, blockSize);
        }
        for (long done = 0; done < blocks; ) {
            int n = (int) Math.min(chunkBlocks, blocks - done);
            chunk.position(0).limit(n * blockSize);
            BlockAccess.write(unit, lba + done, chunk, forceUnitAccess);
            done += n;
        }
    }

    private static boolean isZero(ByteBuffer block, int length) {
        for (int i = 0; i < length; i++) {
            if (block.get(i) != 0) {
                return false;
            }
        }
        return true;
    }
}
