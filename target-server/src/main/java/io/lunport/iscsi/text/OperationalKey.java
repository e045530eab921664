package io.lunport.iscsi.text;

import java.util.HashMap;
import java.util.Map;

/**
 * The operational keys of RFC 7143 section 13 that a target negotiates, each with the
 * result function the RFC gives it and the value lunport offers or accepts. Keys that are
 * not here are either handled elsewhere (names, authentication, SendTargets) or answered
 * NotUnderstood.
 */
public enum OperationalKey {

    HEADER_DIGEST("HeaderDigest", Kind.LIST, 0, 0, "CRC32C,None", false),
    DATA_DIGEST("DataDigest", Kind.LIST, 0, 0, "CRC32C,None", false),
    MAX_CONNECTIONS("MaxConnections", Kind.NUMBER_MIN, 1, 65535, "1", true),
    INITIAL_R2T("InitialR2T", Kind.BOOLEAN_OR, 0, 0, "No", true),
    IMMEDIATE_DATA("ImmediateData", Kind.BOOLEAN_AND, 0, 0, "Yes", true),
    MAX_RECV_DATA_SEGMENT_LENGTH("MaxRecvDataSegmentLength", Kind.DECLARATIVE_NUMBER, 512, 16777215, "262144", false),
    MAX_BURST_LENGTH("MaxBurstLength", Kind.NUMBER_MIN, 512, 16777215, "16776192", true),
    FIRST_BURST_LENGTH("FirstBurstLength", Kind.NUMBER_MIN, 512, 16777215, "16776192", true),
    DEFAULT_TIME2WAIT("DefaultTime2Wait", Kind.NUMBER_MAX, 0, 3600, "2", true),
    // With ErrorRecoveryLevel 0 no task state outlives a connection, so nothing is retained.
    DEFAULT_TIME2RETAIN("DefaultTime2Retain", Kind.NUMBER_MIN, 0, 3600, "0", true),
    MAX_OUTSTANDING_R2T("MaxOutstandingR2T", Kind.NUMBER_MIN, 1, 65535, "16", true),
    // lunport reassembles data by offset but demands in-order delivery, the common case.
    DATA_PDU_IN_ORDER("DataPDUInOrder", Kind.BOOLEAN_OR, 0, 0, "Yes", true),
    DATA_SEQUENCE_IN_ORDER("DataSequenceInOrder", Kind.BOOLEAN_OR, 0, 0, "Yes", true),
    ERROR_RECOVERY_LEVEL("ErrorRecoveryLevel", Kind.NUMBER_MIN, 0, 2, "0", true),
    OF_MARKER("OFMarker", Kind.BOOLEAN_AND, 0, 0, "No", false),
    IF_MARKER("IFMarker", Kind.BOOLEAN_AND, 0, 0, "No", false),
    OF_MARK_INT("OFMarkInt", Kind.IRRELEVANT, 0, 0, "Irrelevant", false),
    IF_MARK_INT("IFMarkInt", Kind.IRRELEVANT, 0, 0, "Irrelevant", false),
    TASK_REPORTING("TaskReporting", Kind.LIST, 0, 0, "RFC3720", true),
    ISCSI_PROTOCOL_LEVEL("iSCSIProtocolLevel", Kind.NUMBER_MIN, 0, 31, "1", true);

    /** How the outcome follows from the initiator's and the target's values. */
    public enum Kind {
        /** The first value in the initiator's list that lunport supports. */
        LIST,
        NUMBER_MIN,
        NUMBER_MAX,
        BOOLEAN_AND,
        BOOLEAN_OR,
        /** Each side declares its own value; the target answers with its own. */
        DECLARATIVE_NUMBER,
        /** Keys for features negotiated away (markers): the answer is always Irrelevant. */
        IRRELEVANT
    }

    private static final Map<String, OperationalKey> BY_NAME = new HashMap<>();

    static {
        for (OperationalKey key : values()) {
            BY_NAME.put(key.keyName, key);
        }
    }

    private final String keyName;
    private final Kind kind;
    private final long min;
    private final long max;
    private final String targetValue;
    private final boolean leadingOnly;

    OperationalKey(String keyName, Kind kind, long min, long max, String targetValue, boolean leadingOnly) {
        this.keyName = keyName;
        this.kind = kind;
        this.min = min;
        this.max = max;
        this.targetValue = targetValue;
        this.leadingOnly = leadingOnly;
    }

    public static OperationalKey byName(String name) {
        return BY_NAME.get(name);
    }

    public String keyName() {
        return keyName;
    }

    public Kind kind() {
        return kind;
    }

    public long min() {
        return min;
    }

    public long max() {
        return max;
    }

    /** lunport's own value: the one it offers, or the limit it accepts. */
    public String targetValue() {
        return targetValue;
    }

    /** Negotiated only in the leading login of a session (RFC 7143 "LO"). */
    public boolean leadingOnly() {
        return leadingOnly;
    }
}
