package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.UnitAttentions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The reservation state machine of one logical unit: SPC-4 persistent reservations (5.13) and
 * the SPC-2 RESERVE/RELEASE reservation with the SPC-4 5.13.3 exceptions (so REPORT
 * CAPABILITIES reports CRH=1).
 *
 * <p>The state belongs to the LU, not to a session, and is keyed by I_T nexus: every session,
 * connection and portal of the LU sees the same registrations, and a session reinstated with
 * the same initiator name and ISID is still registered and still holds its reservation.
 * Persistent reservations survive I_T nexus loss and resets; the SPC-2 reservation does not.
 *
 * <p>Locking: every change runs under this object's monitor and publishes a new immutable
 * {@link PrState} through a volatile field, so {@link #conflicts}, which runs for every command,
 * takes no lock and allocates nothing: with no reservation it is two volatile reads.
 *
 * <p>Memory: one small record per registration; at most {@value #MAX_REGISTRATIONS} per LU.
 */
public final class Reservations {

    private static final Logger LOG = LoggerFactory.getLogger(Reservations.class);

    /** More registrations are refused with INSUFFICIENT REGISTRATION RESOURCES. */
    public static final int MAX_REGISTRATIONS = 1024;

    private final UnitAttentions attentions;
    private final PrStateFile file;
    private volatile PrState state;
    private volatile ItNexus spc2Holder;

    private Reservations(UnitAttentions attentions, PrStateFile file, PrState initial) {
        this.attentions = attentions;
        this.file = file;
        this.state = initial;
    }

    /** Reservations kept in memory only: APTPL is not supported. */
    public Reservations(UnitAttentions attentions) {
        this(attentions, null, PrState.EMPTY);
    }

    /**
     * Reservations kept in {@code file} while APTPL is set, starting from what it holds.
     *
     * @param file null: in memory only, as {@link #Reservations(UnitAttentions)}
     * @throws IOException the file exists but cannot be read or is corrupt: the LU must not be
     *                     served without the reservations it held
     */
    public static Reservations open(UnitAttentions attentions, Path file) throws IOException {
        if (file == null) {
            return new Reservations(attentions);
        }
        PrStateFile store = new PrStateFile(file);
        return new Reservations(attentions, store, store.load());
    }

    /** The unit attentions of the LU, where reservation changes are announced. */
    public UnitAttentions unitAttentions() {
        return attentions;
    }

    /** The current state, for PERSISTENT RESERVE IN and tests. */
    public PrState state() {
        return state;
    }

    /** Whether APTPL can be honoured (PTPL_C): there is a file to keep the state in. */
    public boolean persistenceCapable() {
        return file != null;
    }

    /** The I_T nexus holding an SPC-2 reservation, or null. */
    public ItNexus spc2Holder() {
        return spc2Holder;
    }

    // ------------------------------------------------------------------ the check on every command

    /**
     * Whether the command must end with RESERVATION CONFLICT, by {@link ConflictTable}. Called
     * once per command before it runs.
     */
    public boolean conflicts(ItNexus nexus, ByteBuffer cdb) {
        if (spc2Holder == null && state.type() == null) {
            return false;
        }
        return conflicts(nexus, ConflictTable.access(cdb), ConflictTable.allowedUnderSpc2Reservation(cdb));
    }

    /**
     * Whether reading ({@link ConflictTable.Access#READ}) or writing the medium on behalf of
     * {@code nexus} conflicts with a reservation: what a copy manager asks of each copy target
     * before it moves blocks. No medium access is allowed under another nexus' SPC-2 reservation.
     */
    public boolean conflicts(ItNexus nexus, ConflictTable.Access access) {
        return conflicts(nexus, access, access == ConflictTable.Access.ALWAYS);
    }

    private boolean conflicts(ItNexus nexus, ConflictTable.Access access, boolean allowedUnderSpc2) {
        ItNexus spc2 = spc2Holder;
        PrState s = state;
        if (spc2 != null && !spc2.equals(nexus) && !allowedUnderSpc2) {
            return true;
        }
        PrType type = s.type();
        if (type == null) {
            return false;
        }
        if (access == ConflictTable.Access.ALWAYS || s.isHolder(nexus)) {
            return false;
        }
        if (type.registrantsShareAccess() && s.isRegistered(nexus)) {
            return false;
        }
        return access == ConflictTable.Access.WRITE || type.exclusiveAccess();
    }

    // ------------------------------------------------------------------ PERSISTENT RESERVE OUT

    /**
     * REGISTER (5.13.7) and REGISTER AND IGNORE EXISTING KEY: registers, changes or (with
     * {@code serviceActionKey} 0) removes the nexus' key. Removing the holder's key releases a
     * single-holder reservation (raising RESERVATIONS RELEASED for registrants only types); an
     * all registrants reservation lasts while anyone is registered.
     */
    public synchronized void register(ItNexus nexus, long reservationKey, long serviceActionKey,
            boolean ignoreExistingKey, boolean allTargetPorts, boolean aptpl) throws ScsiException {
        PrState s = state;
        Registration own = s.registration(nexus);
        List<Attention> raised = new ArrayList<>();
        PrState next;
        if (own == null) {
            if (!ignoreExistingKey && reservationKey != 0) {
                throw PrSense.conflict();
            }
            if (serviceActionKey == 0) {
                return; // unregistering an unregistered nexus: nothing changes
            }
            if (s.registrations().size() >= MAX_REGISTRATIONS) {
                throw PrSense.insufficientRegistrationResources();
            }
            List<Registration> regs = new ArrayList<>(s.registrations());
            regs.add(new Registration(nexus, serviceActionKey, allTargetPorts));
            next = s.withRegistrations(regs);
        } else {
            if (!ignoreExistingKey && reservationKey != own.key()) {
                throw PrSense.conflict();
            }
            if (serviceActionKey == 0) {
                next = unregister(s, own, raised);
            } else {
                List<Registration> regs = new ArrayList<>(s.registrations());
                regs.set(regs.indexOf(own), own.withKey(serviceActionKey));
                next = s.withRegistrations(regs);
            }
        }
        commit(next.nextGeneration().withAptpl(aptpl), raised);
    }

    private static PrState unregister(PrState s, Registration own, List<Attention> raised) {
        PrState next = s.withRegistrations(s.without(own::equals));
        PrType type = s.type();
        if (type == null) {
            return next;
        }
        if (type.allRegistrants()) {
            return next.registrations().isEmpty() ? next.released() : next;
        }
        if (!own.covers(s.holder())) {
            return next;
        }
        if (type.registrantsOnly()) {
            for (Registration r : next.registrations()) {
                raised.add(new Attention(r.nexus(), PrSense.ASCQ_RESERVATIONS_RELEASED));
            }
        }
        return next.released();
    }

    /** RESERVE (5.13.9): the type is valid and the scope is LU_SCOPE (the handler checked). */
    public synchronized void reserve(ItNexus nexus, long reservationKey, PrType type) throws ScsiException {
        PrState s = state;
        requireKey(s, nexus, reservationKey);
        if (s.reserved()) {
            if (s.isHolder(nexus) && s.type() == type) {
                return;
            }
            throw PrSense.conflict();
        }
        commit(s.withReservation(type, nexus), List.of());
    }

    /**
     * RELEASE (5.13.11.2.2). A registered nexus that does not hold the reservation releases
     * nothing and gets GOOD; the holder naming another type or scope gets INVALID RELEASE OF
     * PERSISTENT RESERVATION.
     */
    public synchronized void release(ItNexus nexus, long reservationKey, int scope, int typeCode)
            throws ScsiException {
        PrState s = state;
        requireKey(s, nexus, reservationKey);
        if (!s.isHolder(nexus)) {
            return;
        }
        if (scope != 0 || typeCode != s.type().code()) {
            throw PrSense.invalidRelease();
        }
        List<Attention> raised = new ArrayList<>();
        if (s.type().registrantsShareAccess()) {
            for (Registration r : s.registrations()) {
                if (!r.covers(nexus)) {
                    raised.add(new Attention(r.nexus(), PrSense.ASCQ_RESERVATIONS_RELEASED));
                }
            }
        }
        commit(s.released(), raised);
    }

    /** CLEAR (5.13.11.2.6): no reservation, no registrations; RESERVATIONS PREEMPTED to the others. */
    public synchronized void clear(ItNexus nexus, long reservationKey) throws ScsiException {
        PrState s = state;
        requireKey(s, nexus, reservationKey);
        List<Attention> raised = new ArrayList<>();
        for (Registration r : s.registrations()) {
            if (!r.covers(nexus)) {
                raised.add(new Attention(r.nexus(), PrSense.ASCQ_RESERVATIONS_PREEMPTED));
            }
        }
        commit(new PrState(s.generation() + 1, List.of(), null, null, s.aptpl()), raised);
    }

    /**
     * PREEMPT and PREEMPT AND ABORT (5.13.11.2.4, 5.13.11.2.5). When the service action key
     * names the reservation (the holder's key; zero for an all registrants type) the nexus takes
     * the reservation with {@code type} and every other registration with that key (every other
     * one, for all registrants) is removed; otherwise only the registrations with that key go.
     * The preempted nexuses see REGISTRATIONS PREEMPTED; when the type changes, the remaining
     * registrants see RESERVATIONS RELEASED.
     *
     * <p>Returns the registrations removed: PREEMPT AND ABORT aborts their nexuses' tasks.
     */
    public synchronized List<Registration> preempt(ItNexus nexus, long reservationKey, long serviceActionKey, PrType type)
            throws ScsiException {
        PrState s = state;
        requireKey(s, nexus, reservationKey);
        List<Attention> raised = new ArrayList<>();
        boolean takesReservation = s.reserved() && (s.type().allRegistrants()
                ? serviceActionKey == 0
                : s.holderRegistration() != null && s.holderRegistration().key() == serviceActionKey);
        PrState next;
        List<Registration> removed = new ArrayList<>();
        if (takesReservation) {
            boolean all = s.type().allRegistrants();
            for (Registration r : s.registrations()) {
                if (!r.covers(nexus) && (all || r.key() == serviceActionKey)) {
                    removed.add(r);
                    raised.add(new Attention(r.nexus(), PrSense.ASCQ_REGISTRATIONS_PREEMPTED));
                }
            }
            next = s.withRegistrations(s.without(removed::contains)).withReservation(type, nexus);
            if (type != s.type()) {
                for (Registration r : next.registrations()) {
                    if (!r.covers(nexus)) {
                        raised.add(new Attention(r.nexus(), PrSense.ASCQ_RESERVATIONS_RELEASED));
                    }
                }
            }
        } else {
            if (serviceActionKey == 0) {
                throw ScsiException.invalidParameterField(8, -1);
            }
            boolean named = false;
            for (Registration r : s.registrations()) {
                if (r.key() == serviceActionKey) {
                    named = true;
                    if (!r.covers(nexus)) {
                        removed.add(r);
                        raised.add(new Attention(r.nexus(), PrSense.ASCQ_REGISTRATIONS_PREEMPTED));
                    }
                }
            }
            if (!named) {
                throw PrSense.conflict();
            }
            next = s.withRegistrations(s.without(removed::contains));
        }
        commit(next.nextGeneration(), raised);
        return List.copyOf(removed);
    }

    /**
     * REGISTER AND MOVE (5.13.8): the holder of a single-holder reservation hands it to
     * {@code destination}, registering it with {@code serviceActionKey} unless it is
     * registered already; with {@code unregister} the source's registration goes.
     *
     * @throws ScsiException INVALID FIELD IN PARAMETER LIST pointing at {@code transportIdOffset}
     *                       when the destination is the source itself
     */
    public synchronized void registerAndMove(ItNexus nexus, long reservationKey, long serviceActionKey,
            ItNexus destination, boolean unregister, boolean aptpl, int transportIdOffset) throws ScsiException {
        PrState s = state;
        Registration own = requireKey(s, nexus, reservationKey);
        if (!s.isHolder(nexus) || s.type().allRegistrants()) {
            throw PrSense.conflict();
        }
        if (serviceActionKey == 0) {
            throw ScsiException.invalidParameterField(8, -1);
        }
        if (destination.equals(nexus)) {
            throw ScsiException.invalidParameterField(transportIdOffset, -1);
        }
        List<Registration> regs = new ArrayList<>(s.registrations());
        if (s.registration(destination) == null) {
            if (regs.size() >= MAX_REGISTRATIONS) {
                throw PrSense.insufficientRegistrationResources();
            }
            regs.add(new Registration(destination, serviceActionKey, false));
        }
        if (unregister && !own.covers(destination)) {
            regs.remove(own);
        }
        PrState next = s.withRegistrations(regs).withReservation(s.type(), destination);
        commit(next.nextGeneration().withAptpl(aptpl), List.of());
    }

    private static Registration requireKey(PrState s, ItNexus nexus, long reservationKey) throws ScsiException {
        Registration own = s.registration(nexus);
        if (own == null || own.key() != reservationKey) {
            throw PrSense.conflict();
        }
        return own;
    }

    // ------------------------------------------------------------------ SPC-2 RESERVE / RELEASE

    /**
     * RESERVE(6)/(10) of the whole LU. With persistent registrations present it does nothing
     * (GOOD) for a holder, or a registrant of a registrants only or all registrants type, and
     * conflicts for everyone else (SPC-4 5.13.3; SPC-2 5.5.1).
     */
    public synchronized void reserveSpc2(ItNexus nexus) throws ScsiException {
        if (exceptedOrConflict(nexus)) {
            return;
        }
        if (spc2Holder != null && !spc2Holder.equals(nexus)) {
            throw PrSense.conflict();
        }
        spc2Holder = nexus;
    }

    /** RELEASE(6)/(10): releases the nexus' own reservation; anyone else's is untouched (GOOD). */
    public synchronized void releaseSpc2(ItNexus nexus) throws ScsiException {
        if (exceptedOrConflict(nexus)) {
            return;
        }
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    private boolean exceptedOrConflict(ItNexus nexus) throws ScsiException {
        PrState s = state;
        if (s.registrations().isEmpty()) {
            return false;
        }
        if (s.isHolder(nexus) || s.reserved() && s.type().registrantsShareAccess() && s.isRegistered(nexus)) {
            return true;
        }
        throw PrSense.conflict();
    }

    /** I_T nexus loss (logout, dropped connection, reinstatement) ends its SPC-2 reservation. */
    public synchronized void nexusLost(ItNexus nexus) {
        if (nexus.equals(spc2Holder)) {
            spc2Holder = null;
        }
    }

    /** LOGICAL UNIT RESET or a hard reset: ends the SPC-2 reservation; persistent ones stay. */
    public synchronized void reset() {
        spc2Holder = null;
    }

    // ------------------------------------------------------------------ commit

    private record Attention(ItNexus nexus, int ascq) {
    }

    /**
     * Makes {@code next} the state: saved first while APTPL is (or was) set, so that a state
     * that could not be saved is never reported; then the unit attentions are raised.
     */
    private void commit(PrState next, List<Attention> raised) throws ScsiException {
        PrState previous = state;
        if (file != null && (next.aptpl() || previous.aptpl())) {
            try {
                if (next.aptpl()) {
                    file.save(next);
                } else {
                    file.delete();
                }
            } catch (IOException e) {
                LOG.warn("cannot save persistent reservations to {}: {}", file.path(), e.toString());
                throw PrSense.persistenceFailed();
            }
        }
        state = next;
        for (Attention a : raised) {
            attentions.establish(a.nexus(), PrSense.ASC_PARAMETERS_CHANGED, a.ascq());
        }
    }
}
