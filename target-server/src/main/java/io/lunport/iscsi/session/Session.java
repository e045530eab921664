package io.lunport.iscsi.session;

import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.text.NegotiatedParameters;
import io.lunport.scsi.ItNexus;

/**
 * A logged-in session: who (initiator name and ISID), to what (a target, or discovery),
 * what the login settled, and its only connection (MaxConnections is 1).
 */
public final class Session {

    private final int tsih;
    private final String initiatorName;
    private final long isid;
    private final IscsiTarget target;
    private final NegotiatedParameters parameters;
    private final ItNexus nexus;
    private final IscsiConnection connection;

    Session(int tsih, String initiatorName, long isid, IscsiTarget target, int portalGroupTag,
            NegotiatedParameters parameters, IscsiConnection connection) {
        this.tsih = tsih;
        this.initiatorName = initiatorName;
        this.isid = isid;
        this.target = target;
        this.parameters = parameters;
        this.connection = connection;
        this.nexus = target == null ? null : new ItNexus(initiatorName, isid, target.name(), portalGroupTag);
    }

    public int tsih() {
        return tsih;
    }

    public String initiatorName() {
        return initiatorName;
    }

    public long isid() {
        return isid;
    }

    /** The target of a normal session; null for discovery. */
    public IscsiTarget target() {
        return target;
    }

    public boolean isDiscovery() {
        return target == null;
    }

    public NegotiatedParameters parameters() {
        return parameters;
    }

    public ItNexus nexus() {
        return nexus;
    }

    public IscsiConnection connection() {
        return connection;
    }

    /** The key that identifies a session for reinstatement: initiator port and target. */
    record Key(String initiatorName, long isid, String targetName) {
    }

    Key key() {
        return new Key(initiatorName, isid, target == null ? "" : target.name());
    }
}
