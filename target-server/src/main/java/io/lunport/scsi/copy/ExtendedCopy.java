package io.lunport.scsi.copy;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import io.lunport.scsi.copy.CopyParameterList.BlockSegment;
import io.lunport.scsi.copy.CopyParameterList.Cscd;
import io.lunport.scsi.copy.CopyTargets.CopyTarget;
import io.lunport.scsi.copy.HeldCopyResults.CopyStatus;
import io.lunport.scsi.pr.ConflictTable;
import io.lunport.scsi.sbc.BlockCopy;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * EXTENDED COPY (LID1) (83h, service action 00h, SPC-4 6.4): the LU that receives it acts as
 * copy manager and moves blocks between LUs of this server (or within itself), which it finds
 * by the NAA designators of the identification CSCD descriptors ({@link CopyTargets}). The data
 * never crosses the network; destination writes go through the destination's device, so an
 * overlay LU's image stays untouched.
 *
 * <p>Each copy target is used as the initiator would use it over its own I_T nexus to that LU's
 * target: a reservation that would make a READ of the source or a WRITE of the destination
 * conflict ends the copy with RESERVATION CONFLICT before any block moves.
 *
 * <p>The copy runs to completion on the worker thread; with LIST ID USAGE 00b its status is
 * then held for RECEIVE COPY RESULTS. A copy that ends with CHECK CONDITION has told its outcome
 * in the sense data and holds nothing.
 */
public final class ExtendedCopy implements CommandHandler {

    /** PARAMETER LIST LENGTH: CDB bytes 10..13. */
    private static final int LENGTH_INDEX = 10;
    private static final int BLOCK_DEVICE = 0x00;
    /** Designator as VPD 83h gives it for the LU: binary code set, association LU, type NAA. */
    private static final int BINARY = 1;
    private static final int NAA = 3;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long length = Cdb.u32(cdb, LENGTH_INDEX);
        if (length == 0) {
            return; // SPC-4: no data, no copy, not an error
        }
        if (length < CopyParameterList.HEADER_LENGTH
                || length > CopyParameterList.HEADER_LENGTH + CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH) {
            throw CopySense.parameterListLength();
        }
        ByteBuffer data = task.dataOut((int) length);
        if (data.limit() < CopyParameterList.HEADER_LENGTH) {
            throw CopySense.parameterListLength();
        }
        CopyParameterList list = CopyParameterList.parse(data);
        List<CopyTarget> targets = resolve(list.cscds(), target.copyTargets());
        ItNexus nexus = task.nexus();
        long moved = 0;
        int processed = 0;
        for (BlockSegment segment : list.segments()) {
            moved += copy(segment, targets, nexus);
            processed++;
        }
        if (list.listIdUsage() == CopyParameterList.HOLD_RESULTS) {
            unit.copyResults().hold(nexus, list.listId(), new CopyStatus(processed, moved));
        }
    }

    /** The LU of every CSCD descriptor; a designator that names no LU of this server is unreachable. */
    private static List<CopyTarget> resolve(List<Cscd> cscds, CopyTargets copyTargets) throws ScsiException {
        List<CopyTarget> found = new ArrayList<>(cscds.size());
        for (Cscd d : cscds) {
            if (d.peripheralType() != BLOCK_DEVICE) {
                throw ScsiException.invalidParameterField(d.offset() + 1, 4);
            }
            if (d.codeSet() != BINARY || d.association() != 0 || d.designatorType() != NAA) {
                throw CopySense.targetNotReachable();
            }
            CopyTarget t = copyTargets.byNaaDesignator(d.designator());
            if (t == null) {
                throw CopySense.targetNotReachable();
            }
            if (d.blockLength() != t.unit().logicalBlockSize()) {
                throw ScsiException.invalidParameterField(d.offset() + 29, -1);
            }
            found.add(t);
        }
        return found;
    }

    /** Runs one block-to-block segment; returns the bytes moved. */
    private static long copy(BlockSegment s, List<CopyTarget> targets, ItNexus nexus) throws ScsiException {
        if (s.source() >= targets.size() || s.destination() >= targets.size()) {
            throw CopySense.targetNotReachable();
        }
        CopyTarget source = targets.get(s.source());
        CopyTarget destination = targets.get(s.destination());
        LogicalUnit from = source.unit();
        LogicalUnit to = destination.unit();
        long bytes = (long) s.blocks() << (s.destinationCount() ? to.blockShift() : from.blockShift());
        if (bytes % from.logicalBlockSize() != 0 || bytes % to.logicalBlockSize() != 0) {
            throw ScsiException.invalidParameterField(s.offset() + 10, -1);
        }
        if (!BlockCopy.inRange(from, s.sourceLba(), bytes >>> from.blockShift())
                || !BlockCopy.inRange(to, s.destinationLba(), bytes >>> to.blockShift())) {
            throw CopySense.segmentFailed(s.offset());
        }
        if (from.reservations().conflicts(source.nexusFor(nexus), ConflictTable.Access.READ)
                || to.reservations().conflicts(destination.nexusFor(nexus), ConflictTable.Access.WRITE)) {
            throw new ScsiException(ScsiStatus.RESERVATION_CONFLICT);
        }
        BlockCopy.copy(from, s.sourceLba(), to, s.destinationLba(), bytes);
        return bytes;
    }
}
