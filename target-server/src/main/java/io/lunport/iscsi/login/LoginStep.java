package io.lunport.iscsi.login;

import java.util.Map;

/**
 * What the target answers to one Login Request: the stage fields and keys of the Login
 * Response, and whether the connection enters the full feature phase with it.
 */
public record LoginStep(boolean transit, int currentStage, int nextStage, LoginStatus status,
                        Map<String, String> keys) {

    public boolean succeeded() {
        return status == LoginStatus.SUCCESS;
    }

    /** The login is over and the full feature phase begins after this response. */
    public boolean entersFullFeaturePhase() {
        return succeeded() && transit && nextStage == LoginNegotiation.FULL_FEATURE_PHASE;
    }
}
