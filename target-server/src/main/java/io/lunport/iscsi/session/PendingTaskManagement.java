package io.lunport.iscsi.session;

import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;

/**
 * A task management request whose response waits until every task it aborted has really
 * stopped: RFC 7143 section 11.5.1 forbids answering before the aborted tasks can no longer
 * touch the medium or send a response.
 */
final class PendingTaskManagement {

    private final int initiatorTaskTag;
    private final int response;
    private final Runnable whenStopped;
    private final Set<ScsiCommand> running = Collections.newSetFromMap(new IdentityHashMap<>());

    /**
     * @param whenStopped what the function does once its tasks stopped (a reset of the LU),
     *                    run just before the response is sent
     */
    PendingTaskManagement(int initiatorTaskTag, int response, Runnable whenStopped) {
        this.initiatorTaskTag = initiatorTaskTag;
        this.response = response;
        this.whenStopped = whenStopped;
    }

    Runnable whenStopped() {
        return whenStopped;
    }

    void waitFor(ScsiCommand command) {
        running.add(command);
    }

    /** Notes that {@code command} ended; true when nothing is left to wait for. */
    boolean ended(ScsiCommand command) {
        return running.remove(command) && running.isEmpty();
    }

    boolean isReady() {
        return running.isEmpty();
    }

    int initiatorTaskTag() {
        return initiatorTaskTag;
    }

    int response() {
        return response;
    }
}
