package io.lunport.scsi.pr;

import io.lunport.scsi.ItNexus;
import java.util.Objects;

/**
 * One registered reservation key. It belongs to an I_T nexus (initiator name + ISID with the
 * target port), never to a session: a reconnect with the same name and ISID finds it again.
 *
 * @param allTargetPorts registered with ALL_TG_PT: the key stands for this initiator port on
 *                       every target port of the target, so the target port is not compared
 */
public record Registration(ItNexus nexus, long key, boolean allTargetPorts) {

    public Registration {
        Objects.requireNonNull(nexus, "nexus");
    }

    /** Whether a command from {@code other} comes through this registration. */
    public boolean covers(ItNexus other) {
        if (nexus.equals(other)) {
            return true;
        }
        return allTargetPorts && nexus.isid() == other.isid()
                && nexus.initiatorName().equals(other.initiatorName())
                && nexus.targetName().equals(other.targetName());
    }

    Registration withKey(long newKey) {
        return new Registration(nexus, newKey, allTargetPorts);
    }
}
