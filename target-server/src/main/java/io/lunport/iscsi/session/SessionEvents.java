package io.lunport.iscsi.session;

import io.lunport.iscsi.target.IscsiTarget;

/**
 * Logins and logouts as they happen, for whoever counts them (the server's metrics). Called on
 * an event loop: implementations must be quick and must not block.
 */
public interface SessionEvents {

    /** Counts nothing. */
    SessionEvents NONE = new SessionEvents() {
        @Override
        public void loginSucceeded(Session session) {
        }

        @Override
        public void loginFailed(IscsiTarget target) {
        }
    };

    /** A session entered the full feature phase. */
    void loginSucceeded(Session session);

    /**
     * A login was refused.
     *
     * @param target the target the initiator asked for, or null (discovery, or a name no
     *               target has)
     */
    void loginFailed(IscsiTarget target);
}
