package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import java.nio.ByteBuffer;

/**
 * Moves blocks from one logical unit to another (or within one) for a copy manager (EXTENDED
 * COPY): read through this thread's scratch buffer, written as a WRITE would, through the
 * destination's device (its overlay, for an overlay LU) under its {@link io.lunport.scsi.MediumLock}
 * held shared.
 */
public final class BlockCopy {

    private BlockCopy() {
    }

    /** Whether {@code blocks} blocks from {@code lba} lie within the LU. */
    public static boolean inRange(LogicalUnit unit, long lba, long blocks) {
        long capacity = unit.blockCount();
        return Long.compareUnsigned(lba, capacity) <= 0 && Long.compareUnsigned(blocks, capacity - lba) <= 0;
    }

    /**
     * Copies {@code bytes} (a multiple of both block sizes, ranges already checked) from
     * {@code source} at {@code sourceLba} to {@code destination} at {@code destinationLba}. When
     * both ranges are on one LU and the destination starts inside the source, the copy runs
     * backwards so that no block is overwritten before it was read.
     */
    public static void copy(LogicalUnit source, long sourceLba, LogicalUnit destination, long destinationLba, long bytes)
            throws ScsiException {
        BlockAccess.checkWritable(destination);
        long from = sourceLba << source.blockShift();
        long to = destinationLba << destination.blockShift();
        boolean backwards = source.device() == destination.device() && to > from && to < from + bytes;
        boolean forceUnitAccess = !destination.modeParameters().writeCacheEnabled();
        ByteBuffer scratch = BlockAccess.scratch();
        for (long done = 0; done < bytes; ) {
            int n = (int) Math.min(scratch.capacity(), bytes - done);
            long offset = backwards ? bytes - done - n : done;
            scratch.clear().limit(n);
            BlockAccess.read(source, (from + offset) >>> source.blockShift(), scratch);
            scratch.limit(n).position(0);
            BlockAccess.write(destination, (to + offset) >>> destination.blockShift(), scratch, forceUnitAccess);
            done += n;
        }
    }
}
