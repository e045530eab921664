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
 * UNMAP (SBC-3 5.28), offered (LBPU in VPD B2) only by devices that really release space; on
 * a write-protected LU it is refused as a write, on any other LU answered as an unknown
 * command. Every descriptor is checked before the first range is released.
 */
public final class Unmap implements CommandHandler {

    private static final int HEADER = 8;
    private static final int DESCRIPTOR = 16;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        // A write-protected LU refuses any change as such, whether or not it could deallocate.
        BlockAccess.checkWritable(unit);
        if (!unit.device().supportsDeallocate()) {
            throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_COMMAND_OPERATION_CODE, 0);
        }
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, 0)) {
            throw ScsiException.invalidCdbField(1, 0); // ANCHOR: anchored state is not supported
        }
        int listLength = Cdb.u16(cdb, 7);
        if (listLength == 0) {
            return;
        }
        ByteBuffer params = task.dataOut(listLength);
        if (params.limit() < HEADER) {
            throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
        }
        int descriptors = Math.min(Cdb.u16(params, 2), params.limit() - HEADER) / DESCRIPTOR;
        if (descriptors > BlockLimits.MAX_UNMAP_DESCRIPTORS) {
            throw ScsiException.invalidParameterField(2, -1);
        }
        long total = 0;
        for (int i = 0, at = HEADER; i < descriptors; i++, at += DESCRIPTOR) {
            long blocks = Cdb.u32(params, at + 8);
            BlockAccess.checkRange(unit, Cdb.u64(params, at), blocks);
            total += blocks;
        }
        if (total > BlockLimits.MAX_UNMAP_BLOCKS) {
            throw ScsiException.invalidParameterField(HEADER + 8, -1);
        }
        // Deallocating changes what the blocks read: a writer like any other (see MediumLock).
        MediumLock lock = unit.mediumLock();
        long stamp = lock.lockShared();
        try {
            for (int i = 0, at = HEADER; i < descriptors; i++, at += DESCRIPTOR) {
                long lba = Cdb.u64(params, at);
                long blocks = Cdb.u32(params, at + 8);
                if (blocks == 0) {
                    continue;
                }
                try {
                    unit.device().deallocate(lba << unit.blockShift(), blocks << unit.blockShift());
                } catch (IOException e) {
                    throw BlockAccess.mediumError(unit, SenseData.ASC_WRITE_ERROR, lba, e);
                }
            }
        } finally {
            lock.unlockShared(stamp);
        }
    }
}
