package io.lunport.iscsi.text;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The keys of a Text Request after login (RFC 7143 sections 6.2, 11.10 and 13). Of the
 * operational keys only MaxRecvDataSegmentLength may change in full feature phase: the
 * initiator declares a new limit for what the target sends it, in force from the response on.
 * Every other operational key is leading-only (LO) or initialize-only (IO), and the login keys
 * (names, session type, authentication) belong to the login too: all are answered Reject and
 * change nothing. Keys lunport does not know are answered NotUnderstood. SendTargets is the
 * caller's: it needs the targets and the portal.
 */
public final class FullFeatureNegotiation {

    public static final String NOT_UNDERSTOOD = "NotUnderstood";

    /** Login keys that are not operational keys (RFC 7143 section 13 and 12 for CHAP). */
    private static final Set<String> LOGIN_KEYS = Set.of("InitiatorName", "TargetName", "SessionType", "InitiatorAlias",
            "TargetAlias", "TargetAddress", "TargetPortalGroupTag", "AuthMethod", "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N",
            "CHAP_R");

    /**
     * What the target answers, key by key in the request's order (a declarative key that is
     * accepted needs no answer), and the parameters in force afterwards.
     */
    public record Outcome(Map<String, String> answers, NegotiatedParameters parameters) {}

    private FullFeatureNegotiation() {
    }

    public static Outcome negotiate(Map<String, String> request, NegotiatedParameters current) {
        Map<String, String> answers = new LinkedHashMap<>();
        NegotiatedParameters parameters = current;
        for (Map.Entry<String, String> e : request.entrySet()) {
            OperationalKey key = OperationalKey.byName(e.getKey());
            if (key == OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH) {
                Long value = Negotiator.parseNumber(e.getValue());
                if (value == null || value < key.min() || value > key.max()) {
                    answers.put(e.getKey(), Negotiator.REJECT);
                } else {
                    parameters = parameters.withInitiatorMaxRecvDataSegmentLength(value.intValue());
                }
            } else if (key != null || LOGIN_KEYS.contains(e.getKey())) {
                answers.put(e.getKey(), Negotiator.REJECT);
            } else {
                answers.put(e.getKey(), NOT_UNDERSTOOD);
            }
        }
        return new Outcome(answers, parameters);
    }
}
