package io.lunport.iscsi.target;

import io.lunport.scsi.ScsiTargetDevice;
import java.util.Set;

/**
 * One iSCSI target as the transport sees it: a name, how initiators authenticate, and the
 * SCSI target device behind it.
 *
 * @param alias      TargetAlias sent at login, or null
 * @param chap       the credentials an initiator must prove, or null for AuthMethod None
 * @param mutualChap the credentials the target proves when the initiator asks, or null
 * @param initiators the InitiatorNames that may log in and see the target in discovery; empty: any
 */
public record IscsiTarget(String name, String alias, ChapCredentials chap, ChapCredentials mutualChap,
                          Set<String> initiators, ScsiTargetDevice device) {

    public IscsiTarget {
        if (mutualChap != null && chap == null) {
            throw new IllegalArgumentException("mutual CHAP for " + name + " needs CHAP first");
        }
        initiators = Set.copyOf(initiators);
    }

    /** Whether the initiator of this name may log in to the target and see it in discovery. */
    public boolean admits(String initiatorName) {
        return initiators.isEmpty() || initiators.contains(initiatorName);
    }
}
