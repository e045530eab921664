package io.lunport.iscsi.session;

import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.text.NegotiatedParameters;
import io.lunport.scsi.ItNexus;
import io.lunport.scsi.TaskAborter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every live session of the server, keyed by initiator port and target, so that a new login
 * with the same initiator name and ISID reinstates (replaces) the old session as RFC 7143
 * section 6.3.5 says. Shared by all event loops.
 */
public final class SessionRegistry implements TaskAborter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRegistry.class);

    /** How long PREEMPT AND ABORT waits for a preempted session's event loop; it only drops state. */
    private static final Duration ABORT_WAIT = Duration.ofSeconds(10);

    private final Map<Session.Key, Session> sessions = new ConcurrentHashMap<>();
    /**
     * Held while a session is registered or ends together with its I_T nexus loss, so that
     * the loss of an ending session's nexus can never come after a new login of that nexus.
     */
    private final Object registration = new Object();

    private final AtomicInteger nextTsih = new AtomicInteger(1);

    /**
     * Creates and registers a session; the session it replaces, if any, loses its I_T nexus
     * at once and is closed (its connection dropped, its tasks aborted).
     */
    Session open(String initiatorName, long isid, IscsiTarget target, int portalGroupTag,
                 NegotiatedParameters parameters, IscsiConnection connection) {
        Session session = new Session(allocateTsih(), initiatorName, isid, target, portalGroupTag, parameters, connection);
        synchronized (registration) {
            Session previous = sessions.put(session.key(), session);
            if (previous != null) {
                // Lost now, before the new login is answered: the replaced connection closes
                // later on its own event loop and must not undo what the new session does.
                loseNexus(previous);
                previous.connection().closeFromOutside("session reinstated by a new login");
            }
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

    /**
     * Asks every session logged in to the target of this name to log out within
     * {@code seconds} (its target is being taken away); returns how many were asked.
     */
    public int requestLogout(String targetName, int seconds, String why) {
        int asked = 0;
        for (Session session : sessions.values()) {
            if (!session.isDiscovery() && session.target().name().equals(targetName)) {
                LOG.info("asking initiator {} tsih {} to log out within {} s: {}", session.initiatorName(), session.tsih(),
                        seconds, why);
                session.connection().requestLogout(seconds);
                asked++;
            }
        }
        return asked;
    }

    /** Whether any session is still logged in to the target of this name. */
    public boolean hasSessions(String targetName) {
        return sessions.values().stream().anyMatch(s -> !s.isDiscovery() && s.target().name().equals(targetName));
    }

    /**
     * PREEMPT AND ABORT: the sessions of the preempted nexuses abort their tasks on the LUN.
     * Called on a worker thread, never an event loop: it waits for each of those sessions'
     * event loops to have applied the abort.
     */
    @Override
    public void abortTasks(int lun, Predicate<ItNexus> nexuses) {
        List<CompletableFuture<Void>> applied = new ArrayList<>();
        for (Session session : sessions.values()) {
            if (session.nexus() != null && nexuses.test(session.nexus())) {
                applied.add(session.connection().abortTasksFromOutside(lun));
            }
        }
        try {
            CompletableFuture.allOf(applied.toArray(CompletableFuture[]::new)).get(ABORT_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("PREEMPT AND ABORT on LUN {}: the preempted sessions did not apply the abort within {} s", lun,
                    ABORT_WAIT.toSeconds());
        }
    }

    /** Asks every session's initiator to log out within {@code seconds} (the server is stopping). */
    public void requestLogoutFromAll(int seconds) {
        for (Session session : sessions.values()) {
            session.connection().requestLogout(seconds);
        }
    }

    /**
     * A session ends (logout, or its connection is gone): it leaves the registry and its I_T
     * nexus is lost, which releases an SPC-2 reservation it held. Nothing happens when it has
     * ended already, or when a new login replaced it (that login took its nexus down then).
     */
    void end(Session session) {
        synchronized (registration) {
            if (sessions.remove(session.key(), session)) {
                loseNexus(session);
            }
        }
    }

    private static void loseNexus(Session session) {
        if (!session.isDiscovery()) {
            session.target().device().nexusLost(session.nexus());
        }
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
