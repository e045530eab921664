package io.lunport.scsi.command;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import java.io.IOException;

/**
 * Executes one kind of command. A handler ends normally for GOOD status and throws
 * {@link ScsiException} for anything else; the dispatcher turns I/O and runtime failures that
 * escape it into MEDIUM ERROR and HARDWARE ERROR.
 *
 * <p>Handlers are stateless and shared: {@code execute} runs on many threads at once.
 */
@FunctionalInterface
public interface CommandHandler {

    /**
     * @param unit the addressed logical unit; null only for commands whose table entry
     *             {@linkplain CommandEntry#servesAbsentLun() serves an absent LUN}
     */
    void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException, IOException;
}
