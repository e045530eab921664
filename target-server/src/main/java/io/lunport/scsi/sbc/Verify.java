package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * VERIFY(10), (12) and (16) (SBC-3). With BYTCHK 00b the medium is only range-checked
 * (it has no checksums to verify); with 01b the data-out is compared with the medium, with 11b
 * one block of data-out is compared with every block of the range. DPO needs nothing.
 */
public final class Verify implements CommandHandler {

    private static final int BYTCHK_NONE = 0;
    private static final int BYTCHK_RESERVED = 2;
    private static final int BYTCHK_SINGLE_BLOCK = 3;

    private final BlockCdbLayout layout;

    public Verify(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        int bytchk = BlockAccess.byteCheck(cdb);
        if (bytchk == BYTCHK_RESERVED) {
            throw ScsiException.invalidCdbField(1, 2);
        }
        BlockAccess.validate(cdb, layout, unit, lba, blocks);
        if (bytchk == BYTCHK_NONE || blocks == 0) {
            return;
        }
        boolean singleBlock = bytchk == BYTCHK_SINGLE_BLOCK;
        int total = (int) (blocks << unit.blockShift());
        ByteBuffer expected = task.dataOut(singleBlock ? unit.logicalBlockSize() : total);
        // Compare only the complete blocks the initiator sent; the transport reports the rest.
        int available = expected.limit() & -unit.logicalBlockSize();
        if (available == 0) {
            return;
        }
        long differs = BlockAccess.firstMismatch(unit, lba, expected, singleBlock ? total : Math.min(total, available),
                singleBlock);
        if (differs >= 0) {
            throw BlockAccess.miscompare(differs);
        }
    }
}
