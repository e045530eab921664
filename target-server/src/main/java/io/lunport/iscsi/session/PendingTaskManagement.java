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
    private final Set<ScsiCommand> running = Collections.newSetFromMap(new IdentityHashMap<>());

    PendingTaskManagement(int initiatorTaskTag, int response) {
        this.initiatorTaskTag = initiatorTaskTag;
        this.response = response;
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
