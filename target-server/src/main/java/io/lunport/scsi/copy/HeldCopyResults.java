package io.lunport.scsi.copy;

import io.lunport.scsi.ItNexus;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The copy status an EXTENDED COPY (LID1) with LIST ID USAGE 00b leaves for RECEIVE COPY
 * RESULTS, per I_T nexus and list identifier (SPC-4 6.18.3). Returned once, then discarded; at
 * most {@link #LIMIT} are held per LU, the oldest dropped first, so that an initiator that never
 * asks cannot grow the table.
 *
 * <p>Thread-safe: copies on many worker threads record and take results.
 */
public final class HeldCopyResults {

    /** How many results one LU holds; also what OPERATING PARAMETERS reports as concurrent copies. */
    public static final int LIMIT = 64;

    /** The outcome of one completed copy. */
    public record CopyStatus(int segmentsProcessed, long bytesTransferred) {}

    private record Key(ItNexus nexus, int listId) {}

    private final Map<Key, CopyStatus> held = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, CopyStatus> eldest) {
            return size() > LIMIT;
        }
    };

    public synchronized void hold(ItNexus nexus, int listId, CopyStatus status) {
        held.put(new Key(nexus, listId), status);
    }

    /** The held status of the nexus' copy with this list identifier, removed; or null. */
    public synchronized CopyStatus take(ItNexus nexus, int listId) {
        return held.remove(new Key(nexus, listId));
    }
}
