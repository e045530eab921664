package io.lunport.iscsi.session;

import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.text.NegotiatedParameters;
import io.lunport.scsi.ItNexus;
import io.lunport.scsi.TaskAborter;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Every live session of the server, keyed by initiator port and target, so that a new login
 * with the same initiator name and ISID reinstates (replaces) the old session as RFC 7143
 * section 6.3.5 says. Shared by all event loops.
 */
public final class SessionRegistry implements TaskAborter {

    private final Map<Session.Key, Session> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger nextTsih = new AtomicInteger(1);

    /**
     * Creates and registers a session; the session it replaces, if any, is closed (its
     * connection dropped, its tasks aborted).
     */
    Session open(String initiatorName, long isid, IscsiTarget target, int portalGroupTag,
                 NegotiatedParameters parameters, IscsiConnection connection) {
        Session session = new Session(allocateTsih(), initiatorName, isid, target, portalGroupTag, parameters, connection);
        Session previous = sessions.put(session.key(), session);
        if (previous != null) {
            previous.connection().closeFromOutside("session reinstated by a new login");
        }
        return session;
    }

    /** Closes every session logged in to {@code target} (TARGET COLD RESET). */
    void closeAll(IscsiTarget target) {
        for (Session session : sessions.values()) {
            if (session.target() == target) {
                session.connection().closeFromOutside("target cold reset");
            }
        }
    }

    /** PREEMPT AND ABORT: the sessions of the preempted nexuses abort their tasks on the LUN. */
    @Override
    public void abortTasks(int lun, Predicate<ItNexus> nexuses) {
        for (Session session : sessions.values()) {
            if (session.nexus() != null && nexuses.test(session.nexus())) {
                session.connection().abortTasksFromOutside(lun);
            }
        }
    }

    /** Asks every session's initiator to log out within {@code seconds} (the server is stopping). */
    public void requestLogoutFromAll(int seconds) {
        for (Session session : sessions.values()) {
            session.connection().requestLogout(seconds);
        }
    }

    void remove(Session session) {
        sessions.remove(session.key(), session);
    }

    public Collection<Session> sessions() {
        return sessions.values();
    }

    private int allocateTsih() {
        // TSIH 0 means "new session" on the wire, so it is never handed out.
        int tsih;
        do {
            tsih = nextTsih.getAndIncrement() & 0xFFFF;
        } while (tsih == 0);
        return tsih;
    }
}
