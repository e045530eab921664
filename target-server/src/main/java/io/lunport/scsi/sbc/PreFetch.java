package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * PRE-FETCH(10) and (16) (SBC-3). The range is checked and nothing is read: lunport keeps no
 * block cache to load (format caches fill on demand). SBC-3 answers CONDITION MET only when the
 * blocks will fit in the cache and GOOD otherwise, so with no cache GOOD is the answer, which is
 * also the only status libiscsi's PRE-FETCH tests accept. IMMED asks for status before the
 * prefetch finishes; there is nothing to wait for either way. NUMBER OF LOGICAL BLOCKS 0 means
 * "to the end of the medium".
 */
public final class PreFetch implements CommandHandler {

    private final BlockCdbLayout layout;

    public PreFetch(BlockCdbLayout layout) {
        this.layout = layout;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        BlockAccess.checkRange(unit, layout.lba(cdb), layout.transferLength(cdb));
    }
}
