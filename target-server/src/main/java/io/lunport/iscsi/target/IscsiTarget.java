package io.lunport.iscsi.target;

import io.lunport.scsi.ScsiTargetDevice;

/**
 * One iSCSI target as the transport sees it: a name, how initiators authenticate, and the
 * SCSI target device behind it.
 *
 * @param alias      TargetAlias sent at login, or null
 * @param chap       the credentials an initiator must prove, or null for AuthMethod None
 * @param mutualChap the credentials the target proves when the initiator asks, or null
 */
public record IscsiTarget(String name, String alias, ChapCredentials chap, ChapCredentials mutualChap,
                          ScsiTargetDevice device) {

    public IscsiTarget {
        if (mutualChap != null && chap == null) {
            throw new IllegalArgumentException("mutual CHAP for " + name + " needs CHAP first");
        }
    }
}
