package io.lunport.iscsi.login;

import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.iscsi.text.NegotiatedParameters;
import io.lunport.iscsi.text.Negotiator;
import io.lunport.iscsi.text.OperationalKey;
import io.lunport.iscsi.text.TextFormatException;
import io.lunport.iscsi.text.TextParameters;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The login phase of one connection (RFC 7143 sections 6 and 7): stages, authentication
 * and operational negotiation, as a state machine fed one Login Request at a time.
 *
 * <p>Not thread-safe: used on its connection's event loop only.
 */
public final class LoginNegotiation {

    public static final int SECURITY_NEGOTIATION = 0;
    public static final int OPERATIONAL_NEGOTIATION = 1;
    public static final int FULL_FEATURE_PHASE = 3;

    /** Login text that spans PDUs (C bit) is bounded; no real initiator comes near this. */
    static final int MAX_TEXT_LENGTH = 64 * 1024;

    /** A login that has not finished after this many requests is going nowhere. */
    static final int MAX_REQUESTS = 32;

    private enum ChapState { NOT_CHOSEN, ALGORITHM_EXPECTED, RESPONSE_EXPECTED, DONE }

    private final TargetRegistry registry;
    private final Portal portal;
    private final Negotiator negotiator = new Negotiator();
    private final ByteArrayOutputStream pendingText = new ByteArrayOutputStream();

    private boolean started;
    private int requests;
    private int stage = SECURITY_NEGOTIATION;
    private long isid;
    private String initiatorName;
    private boolean discovery;
    private IscsiTarget target;
    private boolean authenticated;
    private ChapState chap = ChapState.NOT_CHOSEN;
    private int chapIdentifier;
    private byte[] chapChallenge;
    private boolean declaredMaxRecvDataSegmentLength;
    private String failureReason;
    private String requestedTargetName;
    private LoginStatus failureStatus;

    public LoginNegotiation(TargetRegistry registry, Portal portal) {
        this.registry = registry;
        this.portal = portal;
    }

    /** Answers one Login Request. A step whose status is not SUCCESS ends the connection. */
    public LoginStep handle(LoginRequest request) {
        try {
            return step(request);
        } catch (LoginException e) {
            failureReason = e.getMessage();
            failureStatus = e.status();
            return new LoginStep(false, stage, stage, e.status(), Map.of());
        }
    }

    /** The TargetName a normal session asked for (found or not), for log lines; null otherwise. */
    public String targetName() {
        return requestedTargetName;
    }

    /** The status of the failed step, or null while the login has not failed. */
    public LoginStatus failureStatus() {
        return failureStatus;
    }

    /** Why the last step failed, for the log line (never contains a secret). */
    public String failureReason() {
        return failureReason;
    }

    public String initiatorName() {
        return initiatorName;
    }

    public long isid() {
        return isid;
    }

    public boolean isDiscovery() {
        return discovery;
    }

    /** The target named by a normal session's login once found; null for discovery or before. */
    public IscsiTarget target() {
        return target;
    }

    public NegotiatedParameters parameters() {
        return negotiator.result();
    }

    private LoginStep step(LoginRequest request) throws LoginException {
        if (++requests > MAX_REQUESTS) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "login not complete after " + MAX_REQUESTS + " requests");
        }
        if (request.versionMin() > 0 || request.versionMax() < 0) {
            throw new LoginException(LoginStatus.UNSUPPORTED_VERSION, "version range " + request.versionMin() + ".." + request.versionMax());
        }
        if (request.transit() && request.continues()) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "T and C bits both set");
        }
        if (!started) {
            started = true;
            isid = request.isid();
            if (request.tsih() != 0) {
                // Adding a connection to an existing session: MaxConnections is 1.
                throw new LoginException(LoginStatus.SESSION_DOES_NOT_EXIST, "TSIH " + request.tsih() + " names no session (one connection per session)");
            }
            stage = request.currentStage();
            if (stage != SECURITY_NEGOTIATION && stage != OPERATIONAL_NEGOTIATION) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "login starts in stage " + stage);
            }
        } else {
            if (request.isid() != isid) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "ISID changed during login");
            }
            if (request.currentStage() != stage) {
                throw new LoginException(LoginStatus.INITIATOR_ERROR, "stage " + request.currentStage() + " while the target is in stage " + stage);
            }
        }
        if (pendingText.size() + request.text().length > MAX_TEXT_LENGTH) {
            throw new LoginException(LoginStatus.OUT_OF_RESOURCES, "login text over " + MAX_TEXT_LENGTH + " bytes");
        }
        pendingText.writeBytes(request.text());
        if (request.continues()) {
            // More text follows: acknowledge with an empty response and wait for it.
            return new LoginStep(false, stage, stage, LoginStatus.SUCCESS, Map.of());
        }
        Map<String, String> offered;
        try {
            offered = TextParameters.parse(pendingText.toByteArray());
        } catch (TextFormatException e) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, e.getMessage());
        } finally {
            pendingText.reset();
        }

        boolean firstResponse = initiatorName == null;
        Map<String, String> reply = new LinkedHashMap<>();
        Map<String, String> chapKeys = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : offered.entrySet()) {
            answer(e.getKey(), e.getValue(), reply, chapKeys);
        }
        if (firstResponse) {
            identifySession(offered, reply);
        }
        ChapCredentials required = requiredChap();
        if (stage == SECURITY_NEGOTIATION) {
            authenticate(offered.get("AuthMethod"), chapKeys, required, reply);
        } else if (!authenticated) {
            if (required != null) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "security negotiation skipped but CHAP is required");
            }
            authenticated = true;
        }
        String firstBurst = negotiator.reconcileFirstBurst();
        if (firstBurst != null && reply.containsKey(OperationalKey.FIRST_BURST_LENGTH.keyName())) {
            reply.put(OperationalKey.FIRST_BURST_LENGTH.keyName(), firstBurst);
        }
        return transition(request, reply);
    }

    private void answer(String key, String value, Map<String, String> reply, Map<String, String> chapKeys) throws LoginException {
        switch (key) {
            case "InitiatorName" -> {
                if (initiatorName != null && !initiatorName.equals(value)) {
                    throw new LoginException(LoginStatus.INITIATOR_ERROR, "InitiatorName changed during login");
                }
                initiatorName = value;
            }
            case "InitiatorAlias", "TargetName", "SessionType" -> {
                // Declarations read in identifySession; they need no answer.
            }
            case "AuthMethod" -> {
                if (stage != SECURITY_NEGOTIATION) {
                    throw new LoginException(LoginStatus.INITIATOR_ERROR, "AuthMethod outside security negotiation");
                }
            }
            case "CHAP_A", "CHAP_I", "CHAP_C", "CHAP_N", "CHAP_R" -> {
                if (stage != SECURITY_NEGOTIATION) {
                    throw new LoginException(LoginStatus.INITIATOR_ERROR, key + " outside security negotiation");
                }
                chapKeys.put(key, value);
            }
            default -> {
                OperationalKey operational = OperationalKey.byName(key);
                if (operational == null) {
                    reply.put(key, "NotUnderstood");
                } else {
                    reply.put(key, negotiator.answer(operational, value));
                    if (operational == OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH) {
                        declaredMaxRecvDataSegmentLength = true;
                    }
                }
            }
        }
    }

    private void identifySession(Map<String, String> offered, Map<String, String> reply) throws LoginException {
        if (initiatorName == null || initiatorName.isEmpty()) {
            throw new LoginException(LoginStatus.MISSING_PARAMETER, "no InitiatorName in the first login request");
        }
        String sessionType = offered.getOrDefault("SessionType", "Normal");
        switch (sessionType) {
            case "Discovery" -> discovery = true;
            case "Normal" -> {
                String targetName = offered.get("TargetName");
                requestedTargetName = targetName;
                if (targetName == null) {
                    throw new LoginException(LoginStatus.MISSING_PARAMETER, "no TargetName for a normal session");
                }
                target = registry.find(targetName);
                if (target == null) {
                    throw new LoginException(LoginStatus.NOT_FOUND, "no target " + targetName);
                }
                if (!target.admits(initiatorName)) {
                    // Before any CHAP exchange: an initiator not on the list has nothing to prove.
                    throw new LoginException(LoginStatus.AUTHORIZATION_FAILURE,
                            "initiator not authorized: " + initiatorName + " is not on the allow-list of " + targetName);
                }
                if (target.alias() != null) {
                    reply.put("TargetAlias", target.alias());
                }
            }
            default -> throw new LoginException(LoginStatus.SESSION_TYPE_NOT_SUPPORTED, "SessionType " + sessionType);
        }
        reply.put("TargetPortalGroupTag", Integer.toString(portal.groupTag()));
    }

    private ChapCredentials requiredChap() {
        return discovery ? registry.discoveryChap() : target == null ? null : target.chap();
    }

    private void authenticate(String authMethods, Map<String, String> chapKeys, ChapCredentials required,
                              Map<String, String> reply) throws LoginException {
        if (authMethods != null) {
            List<String> methods = Arrays.asList(authMethods.split(","));
            if (required != null && methods.contains("CHAP")) {
                reply.put("AuthMethod", "CHAP");
                chap = ChapState.ALGORITHM_EXPECTED;
            } else if (required == null && methods.contains("None")) {
                reply.put("AuthMethod", "None");
                authenticated = true;
            } else {
                reply.put("AuthMethod", "Reject");
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE,
                        "AuthMethod " + authMethods + " offered, " + (required == null ? "None" : "CHAP") + " required");
            }
        }
        if (chapKeys.containsKey("CHAP_A")) {
            if (chap != ChapState.ALGORITHM_EXPECTED) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_A out of sequence");
            }
            if (!Arrays.asList(chapKeys.get("CHAP_A").split(",")).contains(Chap.ALGORITHM_MD5)) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_A " + chapKeys.get("CHAP_A") + " without MD5 (5)");
            }
            chapIdentifier = Chap.newIdentifier();
            chapChallenge = Chap.newChallenge();
            reply.put("CHAP_A", Chap.ALGORITHM_MD5);
            reply.put("CHAP_I", Integer.toString(chapIdentifier));
            reply.put("CHAP_C", Chap.encode(chapChallenge));
            chap = ChapState.RESPONSE_EXPECTED;
        } else if (chapKeys.containsKey("CHAP_N") || chapKeys.containsKey("CHAP_R")) {
            verifyChapResponse(chapKeys, required, reply);
        }
    }

    private void verifyChapResponse(Map<String, String> chapKeys, ChapCredentials required, Map<String, String> reply) throws LoginException {
        if (chap != ChapState.RESPONSE_EXPECTED) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP response out of sequence");
        }
        String user = chapKeys.get("CHAP_N");
        byte[] response = chapKeys.containsKey("CHAP_R") ? Chap.decode(chapKeys.get("CHAP_R")) : null;
        if (user == null || response == null) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP_N or CHAP_R missing or malformed");
        }
        if (!user.equals(required.user()) || !Chap.verify(chapIdentifier, required.secret(), chapChallenge, response)) {
            throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP user " + user + " did not prove the secret");
        }
        String mutualId = chapKeys.get("CHAP_I");
        String mutualChallenge = chapKeys.get("CHAP_C");
        if (mutualId != null || mutualChallenge != null) {
            ChapCredentials mutual = discovery ? null : target.mutualChap();
            if (mutual == null) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "initiator asked for mutual CHAP, none is configured");
            }
            byte[] challenge = mutualChallenge == null ? null : Chap.decode(mutualChallenge);
            int identifier;
            try {
                identifier = mutualId == null ? -1 : Integer.parseInt(mutualId);
            } catch (NumberFormatException e) {
                identifier = -1;
            }
            if (challenge == null || challenge.length == 0 || identifier < 0 || identifier > 255) {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "malformed mutual CHAP_I/CHAP_C");
            }
            if (Arrays.equals(challenge, chapChallenge)) {
                // A reflected challenge would let an attacker use the target as its oracle.
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "mutual CHAP challenge equals the target's");
            }
            reply.put("CHAP_N", mutual.user());
            reply.put("CHAP_R", Chap.encode(Chap.response(identifier, mutual.secret(), challenge)));
        }
        chap = ChapState.DONE;
        authenticated = true;
    }

    private LoginStep transition(LoginRequest request, Map<String, String> reply) throws LoginException {
        int current = stage;
        if (!request.transit()) {
            return new LoginStep(false, current, current, LoginStatus.SUCCESS, reply);
        }
        int next = request.nextStage();
        if (next <= current || next == 2) {
            throw new LoginException(LoginStatus.INITIATOR_ERROR, "transit from stage " + current + " to " + next);
        }
        if (current == SECURITY_NEGOTIATION && !authenticated) {
            if (requiredChap() == null) {
                authenticated = true; // No AuthMethod offered and none required: None.
            } else if (chap == ChapState.ALGORITHM_EXPECTED || chap == ChapState.RESPONSE_EXPECTED) {
                // CHAP is under way: the target stays in this stage until it completes.
                return new LoginStep(false, current, current, LoginStatus.SUCCESS, reply);
            } else {
                throw new LoginException(LoginStatus.AUTHENTICATION_FAILURE, "CHAP required but not completed");
            }
        }
        if (next == FULL_FEATURE_PHASE && !declaredMaxRecvDataSegmentLength) {
            reply.put(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.keyName(), OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH.targetValue());
            declaredMaxRecvDataSegmentLength = true;
        }
        stage = next;
        return new LoginStep(true, current, next, LoginStatus.SUCCESS, reply);
    }
}
