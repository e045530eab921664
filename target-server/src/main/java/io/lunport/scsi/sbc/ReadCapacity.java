package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * READ CAPACITY(10) and (16) (SBC-3 5.16, 5.17). The 10-byte form answers 0xFFFFFFFF when the
 * last LBA does not fit, which tells the initiator to ask the 16-byte form.
 */
public final class ReadCapacity implements CommandHandler {

    public static final ReadCapacity TEN = new ReadCapacity(false);
    public static final ReadCapacity SIXTEEN = new ReadCapacity(true);

    private static final int LENGTH_10 = 8;
    /** Windows fails targets that return READ CAPACITY(16) with another length (initiators.md). */
    private static final int LENGTH_16 = 32;

    private final boolean sixteen;

    private ReadCapacity(boolean sixteen) {
        this.sixteen = sixteen;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        // PMI clear with a nonzero LBA is an invalid combination (SBC-3 5.16.1).
        boolean pmi = Cdb.bit(cdb, sixteen ? 14 : 8, 0);
        long lba = sixteen ? Cdb.u64(cdb, 2) : Cdb.u32(cdb, 2);
        if (!pmi && lba != 0) {
            throw ScsiException.invalidCdbField(2, -1);
        }
        long lastLba = unit.blockCount() - 1;
        if (sixteen) {
            byte[] d = new byte[LENGTH_16];
            ByteBuffer b = ByteBuffer.wrap(d);
            b.putLong(0, lastLba);
            b.putInt(8, unit.logicalBlockSize());
            d[13] = (byte) unit.physicalBlockExponent();
            if (unit.device().supportsDeallocate()) {
                d[14] = (byte) 0xC0; // LBPME, LBPRZ
            }
            ParameterData.send(task, d, Cdb.u32(cdb, 10));
        } else {
            byte[] d = new byte[LENGTH_10];
            ByteBuffer b = ByteBuffer.wrap(d);
            b.putInt(0, (int) Math.min(lastLba, 0xFFFF_FFFFL));
            b.putInt(4, unit.logicalBlockSize());
            ParameterData.send(task, d, LENGTH_10);
        }
    }
}
