package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * GET LBA STATUS (SERVICE ACTION IN(16) 12h, SBC-3 5.6): which blocks from the starting LBA
 * on are mapped and which deallocated, from the device's extents. DATA is mapped; ZERO and
 * UNALLOCATED read as zeros without storage, so they are deallocated (LBPRZ). A block that a
 * grain boundary splits counts as mapped.
 */
public final class GetLbaStatus implements CommandHandler {

    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;
    private static final int MAPPED = 0;
    private static final int DEALLOCATED = 1;
    /** How far one command looks ahead: the initiator asks again from where the answer ends. */
    private static final long LOOKAHEAD_BYTES = 1L << 30;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = Cdb.u64(cdb, 2);
        long allocation = Cdb.u32(cdb, 10);
        if (Long.compareUnsigned(lba, unit.blockCount()) >= 0) {
            throw ScsiException.lbaOutOfRange();
        }
        if (allocation == 0) {
            return;
        }
        int shift = unit.blockShift();
        long offset = lba << shift;
        long length = Math.min(unit.device().size() - offset, LOOKAHEAD_BYTES);
        length = Math.max(length >>> shift << shift, 1L << shift);
        List<Extent> extents;
        try {
            extents = unit.device().extents(offset, length);
        } catch (IOException e) {
            throw BlockAccess.mediumError(unit, SenseData.ASC_UNRECOVERED_READ_ERROR, lba, e);
        }
        int room = (int) Math.max(0, (Math.min(allocation, 1 << 16) - HEADER) / DESCRIPTOR);
        int maxDescriptors = Math.max(1, Math.min(room, extents.size()));
        long[] starts = new long[maxDescriptors];
        long[] counts = new long[maxDescriptors];
        int[] states = new int[maxDescriptors];
        int n = 0;
        long next = lba;
        // A fully provisioned LU (LBPME 0: a --direct or read-only raw file) maps every LBA
        // (SBC-4 4.7.2), even where its file happens to have a hole.
        boolean thin = unit.device().supportsDeallocate();
        for (Extent e : extents) {
            long endBlock = (e.end() + (1L << shift) - 1) >>> shift;
            if (endBlock <= next) {
                continue;
            }
            int state = !thin || e.kind() == Extent.Kind.DATA ? MAPPED : DEALLOCATED;
            if (n > 0 && states[n - 1] == state) {
                counts[n - 1] += endBlock - next;
            } else if (n < maxDescriptors) {
                starts[n] = next;
                counts[n] = endBlock - next;
                states[n] = state;
                n++;
            } else {
                break;
            }
            next = endBlock;
        }
        byte[] data = new byte[HEADER + n * DESCRIPTOR];
        ByteBuffer out = ByteBuffer.wrap(data);
        out.putInt(0, 4 + n * DESCRIPTOR);
        for (int i = 0; i < n; i++) {
            int at = HEADER + i * DESCRIPTOR;
            out.putLong(at, starts[i]);
            out.putInt(at + 8, (int) Math.min(counts[i], 0xFFFF_FFFFL));
            data[at + 12] = (byte) states[i];
        }
        ParameterData.send(task, data, allocation);
    }
}
