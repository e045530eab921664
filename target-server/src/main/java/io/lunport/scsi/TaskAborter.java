package io.lunport.scsi;

import java.util.function.Predicate;

/**
 * What the SCSI layer asks of the transport when a command aborts tasks of other I_T nexuses:
 * PERSISTENT RESERVE OUT with PREEMPT AND ABORT (SPC-4 5.13.11.2.6). The SCSI layer owns the
 * interface; the transport (the iSCSI sessions) implements it, because only it knows which
 * tasks are in flight and how to end them.
 */
@FunctionalInterface
public interface TaskAborter {

    /** Until the transport is wired in (and in tests of the SCSI layer alone): nothing to abort. */
    TaskAborter NONE = (lun, nexuses) -> { };

    /**
     * Aborts every task on {@code lun} that came from a nexus {@code nexuses} accepts, as ABORT
     * TASK SET from that nexus would, but with no response to it (TAS 0: aborted tasks end
     * silently). Returns once none of those tasks can start or answer any more (held ones are
     * dropped, running ones marked aborted), without waiting for a medium access already under
     * way on a worker: it finishes and its status is dropped.
     */
    void abortTasks(int lun, Predicate<ItNexus> nexuses);
}
