package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * One immutable snapshot of the persistent reservation state of a logical unit: the
 * registrations in the order they were made, the reservation (if any), the PRgeneration
 * counter and the APTPL setting that governs it. Every PERSISTENT RESERVE OUT builds a new
 * snapshot, so a command that reads the state (the conflict check on every command, PERSISTENT
 * RESERVE IN) sees a consistent one without taking a lock.
 *
 * @param type   the reservation's type; null when the LU is not reserved
 * @param holder the I_T nexus holding it; null when not reserved and for all registrants types,
 *               where every registered I_T nexus is a holder
 */
public record PrState(int generation, List<Registration> registrations, PrType type, ItNexus holder, boolean aptpl) {

    public static final PrState EMPTY = new PrState(0, List.of(), null, null, false);

    public PrState {
        registrations = List.copyOf(registrations);
        if (type == null && holder != null || type != null && type.allRegistrants() == (holder != null)) {
            throw new IllegalArgumentException("reservation " + type + " with holder " + holder);
        }
    }

    public boolean reserved() {
        return type != null;
    }

    /** The registration a command from the nexus comes through, or null when it is not registered. */
    public Registration registration(ItNexus nexus) {
        for (Registration r : registrations) {
            if (r.covers(nexus)) {
                return r;
            }
        }
        return null;
    }

    public boolean isRegistered(ItNexus nexus) {
        return registration(nexus) != null;
    }

    /** SPC-4 5.13.10: the reserving I_T nexus, or every registered one for all registrants types. */
    public boolean isHolder(ItNexus nexus) {
        if (type == null) {
            return false;
        }
        return type.allRegistrants() ? isRegistered(nexus) : holder.equals(nexus);
    }

    /** The registration of the holder of a single-holder reservation, or null. */
    public Registration holderRegistration() {
        return holder == null ? null : registration(holder);
    }

    PrState withRegistrations(List<Registration> regs) {
        return new PrState(generation, regs, type, holder, aptpl);
    }

    PrState withReservation(PrType newType, ItNexus newHolder) {
        return new PrState(generation, registrations, newType,
                newType == null || newType.allRegistrants() ? null : newHolder, aptpl);
    }

    PrState released() {
        return new PrState(generation, registrations, null, null, aptpl);
    }

    PrState nextGeneration() {
        return new PrState(generation + 1, registrations, type, holder, aptpl);
    }

    PrState withAptpl(boolean value) {
        return new PrState(generation, registrations, type, holder, value);
    }

    /** The registrations without those that match. */
    List<Registration> without(Predicate<Registration> removed) {
        List<Registration> kept = new ArrayList<>(registrations.size());
        for (Registration r : registrations) {
            if (!removed.test(r)) {
                kept.add(r);
            }
        }
        return kept;
    }
}
