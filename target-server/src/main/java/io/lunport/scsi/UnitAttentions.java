package io.lunport.scsi;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The unit attention conditions of one logical unit, queued per I_T nexus (SAM-5 5.14).
 *
 * <p>A nexus is known from its first command on this LU; conditions for "every other nexus"
 * reach known nexuses only, while {@link #establish} names its nexus (reservations do, for
 * registrations that may predate a restart). Deliberately no power-on condition for a new nexus: initiators log in more
 * simply without one, and nothing has changed underneath them yet.
 *
 * <p>Thread-safety: every method may be called from any thread. The per-command cost when
 * nothing is pending is one atomic read ({@link #pending}), so the hot path does not touch
 * the map's queues.
 */
public final class UnitAttentions {

    /** SPC-4 5.15: a device need not keep more; on overflow the oldest conditions are kept. */
    private static final int MAX_QUEUED = 8;

    private final Map<ItNexus, ArrayDeque<byte[]>> queues = new ConcurrentHashMap<>();
    private final AtomicInteger pending = new AtomicInteger();

    /** Remembers the nexus so that later conditions reach it. */
    public void register(ItNexus nexus) {
        if (!queues.containsKey(nexus)) {
            queues.computeIfAbsent(nexus, n -> new ArrayDeque<>());
        }
    }

    /** Establishes a condition (fixed-format sense) for every known nexus except {@code origin}. */
    public void establishForOthers(ItNexus origin, int asc, int ascq) {
        byte[] sense = SenseData.of(SenseData.UNIT_ATTENTION, asc, ascq);
        for (Map.Entry<ItNexus, ArrayDeque<byte[]>> e : queues.entrySet()) {
            if (e.getKey().equals(origin)) {
                continue;
            }
            ArrayDeque<byte[]> queue = e.getValue();
            synchronized (queue) {
                if (queue.size() < MAX_QUEUED && queue.stream().noneMatch(s -> sameCondition(s, sense))) {
                    queue.addLast(sense);
                    pending.incrementAndGet();
                }
            }
        }
    }

    /**
     * Establishes a condition for one nexus, known or not yet (a registration restored from an
     * APTPL file names nexuses that have not sent a command since the restart).
     */
    public void establish(ItNexus nexus, int asc, int ascq) {
        byte[] sense = SenseData.of(SenseData.UNIT_ATTENTION, asc, ascq);
        ArrayDeque<byte[]> queue = queues.computeIfAbsent(nexus, n -> new ArrayDeque<>());
        synchronized (queue) {
            if (queue.size() < MAX_QUEUED && queue.stream().noneMatch(s -> sameCondition(s, sense))) {
                queue.addLast(sense);
                pending.incrementAndGet();
            }
        }
    }

    /** Takes the oldest condition pending for the nexus; null when there is none. */
    public byte[] take(ItNexus nexus) {
        if (pending.get() == 0) {
            return null;
        }
        ArrayDeque<byte[]> queue = queues.get(nexus);
        if (queue == null) {
            return null;
        }
        synchronized (queue) {
            byte[] sense = queue.pollFirst();
            if (sense != null) {
                pending.decrementAndGet();
            }
            return sense;
        }
    }

    private static boolean sameCondition(byte[] a, byte[] b) {
        return SenseData.asc(a) == SenseData.asc(b) && SenseData.ascq(a) == SenseData.ascq(b);
    }
}
