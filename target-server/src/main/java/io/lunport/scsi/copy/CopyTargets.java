package io.lunport.scsi.copy;

import io.lunport.scsi.ItNexus;
import io.lunport.scsi.LogicalUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The logical units an EXTENDED COPY may name as copy targets: every LU of the server, found by
 * its NAA designator. The server registers its LUs before it serves them and unregisters those
 * a reload removes; the SCSI layer only looks them up, and knows nothing of the transport
 * beyond the target name in an I_T nexus.
 */
public final class CopyTargets {

    /** One LU and the name of the SCSI target that serves it. */
    public record CopyTarget(String targetName, LogicalUnit unit) {

        /**
         * The I_T nexus through which the initiator of {@code via} reaches this LU: same initiator
         * port and portal group, this LU's target. Reservations of the LU are checked against it.
         */
        public ItNexus nexusFor(ItNexus via) {
            return new ItNexus(via.initiatorName(), via.isid(), targetName, via.portalGroupTag());
        }
    }

    private final List<CopyTarget> targets = new CopyOnWriteArrayList<>();

    public void register(String targetName, LogicalUnit unit) {
        targets.add(new CopyTarget(targetName, unit));
    }

    /** Takes {@code unit} out of reach of EXTENDED COPY (a reload stopped serving it). */
    public void unregister(LogicalUnit unit) {
        targets.removeIf(t -> t.unit() == unit);
    }

    /** The LU whose NAA designator is {@code designator}, or null. */
    public CopyTarget byNaaDesignator(byte[] designator) {
        for (CopyTarget t : targets) {
            if (t.unit().hasNaaDesignator(designator)) {
                return t;
            }
        }
        return null;
    }
}
