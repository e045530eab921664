package io.lunport.scsi;

/**
 * An I_T nexus: the initiator port (iSCSI initiator name plus ISID) and the target port
 * (target name plus portal group tag) a command came through. It outlives a session: an
 * initiator that reconnects with the same name and ISID is the same nexus.
 */
public record ItNexus(String initiatorName, long isid, String targetName, int portalGroupTag) {

    /** The SCSI initiator port name as SPC spells it for iSCSI: name,i,0x + ISID. */
    public String initiatorPortName() {
        return initiatorName + ",i,0x" + String.format("%012x", isid);
    }
}
