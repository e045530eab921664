package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * VERIFY(10) and (16) (SBC-3 5.22, 5.24). With BYTCHK 00b the medium is only range-checked
 * (it has no checksums to verify); with 01b the data-out is compared with the medium, with 11b
 * one block of data-out is compared with every block of the range.
 */
public final class Verify implements CommandHandler {

    private static final int BYTCHK_NONE = 0;
    private static final int BYTCHK_SINGLE_BLOCK = 3;
    /** Compare in chunks so that a large VERIFY holds little memory. */
    private static final int CHUNK = 1 << 20;

    private final BlockCdbLayout layout;

    public Verify(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long lba = layout.lba(cdb);
        long blocks = layout.transferLength(cdb);
        int bytchk = (cdb.get(1) >>> 1) & 0x03;
        if (bytchk == 2) {
            throw ScsiException.invalidCdbField(1, 2);
        }
        BlockAccess.validate(cdb, layout, unit, lba, blocks);
        if (bytchk == BYTCHK_NONE || blocks == 0) {
            return;
        }
        int blockSize = unit.logicalBlockSize();
        int total = (int) (blocks << unit.blockShift());
        ByteBuffer expected = task.dataOut(bytchk == BYTCHK_SINGLE_BLOCK ? blockSize : total);
        int available = expected.limit() & -blockSize;
        if (available == 0) {
            return;
        }
        ByteBuffer medium = ByteBuffer.allocate(Math.min(CHUNK, total));
        for (int done = 0; done < total; ) {
            int n = Math.min(medium.capacity(), total - done);
            if (bytchk != BYTCHK_SINGLE_BLOCK) {
                n = Math.min(n, available - done);
                if (n <= 0) {
                    return; // compare only what the initiator sent; the transport reports the rest
                }
            }
            medium.clear().limit(n);
            BlockAccess.read(unit, lba + (done >>> unit.blockShift()), medium);
            for (int i = 0; i < n; i++) {
                int offset = done + i;
                int e = bytchk == BYTCHK_SINGLE_BLOCK ? offset & (blockSize - 1) : offset;
                if (medium.get(i) != expected.get(e)) {
                    throw ScsiException.withInformation(SenseData.MISCOMPARE,
                            SenseData.ASC_MISCOMPARE_DURING_VERIFY, 0, offset);
                }
            }
            done += n;
        }
    }
}
