package io.lunport.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.iscsi.text.TextParameters;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The login stage machine fed Login Requests as an initiator sends them. */
class LoginNegotiationTest {

    static final String OPEN = "iqn.2026-11.io.lunport:open";
    static final String SECURED = "iqn.2026-11.io.lunport:secured";
    static final String MUTUAL = "iqn.2026-11.io.lunport:mutual";
    static final String LISTED = "iqn.2026-11.io.lunport:listed";
    static final String INITIATOR = "iqn.1991-05.com.microsoft:host1";
    static final long ISID = 0x400001370001L;
    static final ChapCredentials CHAP = new ChapCredentials("hyperv", "at-least-12-chars");
    static final ChapCredentials TARGET_CHAP = new ChapCredentials("target", "another-12-chars");

    private final TargetRegistry registry = new TargetRegistry();
    private final LoginNegotiation login;

    LoginNegotiationTest() {
        registry.add(new IscsiTarget(OPEN, "open", null, null, Set.of(), null));
        registry.add(new IscsiTarget(SECURED, null, CHAP, null, Set.of(), null));
        registry.add(new IscsiTarget(MUTUAL, null, CHAP, TARGET_CHAP, Set.of(), null));
        registry.add(new IscsiTarget(LISTED, null, CHAP, null, Set.of(INITIATOR), null));
        login = new LoginNegotiation(registry, new Portal(new InetSocketAddress("127.0.0.1", 3260), 7));
    }

    // ------------------------------------------------------------------ helpers

    static Map<String, String> keys(String... kv) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) {
            m.put(kv[i], kv[i + 1]);
        }
        return m;
    }

    static LoginRequest request(boolean transit, boolean continues, int csg, int nsg, int tsih, byte[] text) {
        return new LoginRequest(transit, continues, csg, nsg, 0, 0, ISID, tsih, 1, 0, 5, 0, text);
    }

    static LoginRequest request(boolean transit, int csg, int nsg, Map<String, String> keys) {
        return request(transit, false, csg, nsg, 0, TextParameters.encode(keys));
    }

    static Map<String, String> firstKeys(String target, String auth) {
        return keys("InitiatorName", INITIATOR, "SessionType", "Normal", "TargetName", target, "AuthMethod", auth);
    }

    static byte[] md5(int id, String secret, byte[] challenge) throws Exception {
        MessageDigest md5 = MessageDigest.getInstance("MD5");
        md5.update((byte) id);
        md5.update(secret.getBytes(StandardCharsets.UTF_8));
        md5.update(challenge);
        return md5.digest();
    }

    static byte[] hex(String value) {
        assertThat(value).startsWith("0x");
        return HexFormat.of().parseHex(value.substring(2));
    }

    static String hex(byte[] value) {
        return "0x" + HexFormat.of().formatHex(value);
    }

    private static void assertStatus(LoginStep step, int statusClass, int detail) {
        assertThat(step.succeeded()).isEqualTo(statusClass == 0);
        assertThat(step.status().statusClass()).isEqualTo(statusClass);
        assertThat(step.status().detail()).isEqualTo(detail);
    }

    /** Security stage up to the target's challenge; returns the CHAP_A answer. */
    private LoginStep chapChallenge(String target) {
        LoginStep first = login.handle(request(true, 0, 1, firstKeys(target, "CHAP,None")));
        assertStatus(first, 0, 0);
        assertThat(first.keys()).containsEntry("AuthMethod", "CHAP");
        assertThat(first.transit()).as("no transit while CHAP is under way").isFalse();
        LoginStep second = login.handle(request(true, 0, 1, keys("CHAP_A", "7,5")));
        assertStatus(second, 0, 0);
        assertThat(second.transit()).isFalse();
        assertThat(second.keys()).containsEntry("CHAP_A", "5").containsKeys("CHAP_I", "CHAP_C");
        return second;
    }

    /** The initiator's answer to {@code challenge}: CHAP_N and CHAP_R by {@code secret}, then {@code extra} keys. */
    private LoginStep answer(LoginStep challenge, String user, String secret, String... extra) throws Exception {
        int id = Integer.parseInt(challenge.keys().get("CHAP_I"));
        byte[] c = hex(challenge.keys().get("CHAP_C"));
        Map<String, String> k = keys("CHAP_N", user, "CHAP_R", hex(md5(id, secret, c)));
        k.putAll(keys(extra));
        return login.handle(request(true, 0, 1, k));
    }

    // ------------------------------------------------------------------ AuthMethod None

    @Test
    void noneInOnePduStraightToFullFeature() {
        LoginStep step = login.handle(request(true, 0, 3, firstKeys(OPEN, "None")));
        assertStatus(step, 0, 0);
        assertThat(step.transit()).isTrue();
        assertThat(step.currentStage()).isEqualTo(0);
        assertThat(step.nextStage()).isEqualTo(3);
        assertThat(step.entersFullFeaturePhase()).isTrue();
        assertThat(step.keys()).containsEntry("AuthMethod", "None")
                .containsEntry("TargetPortalGroupTag", "7")
                .containsEntry("TargetAlias", "open")
                .containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(login.initiatorName()).isEqualTo(INITIATOR);
        assertThat(login.isid()).isEqualTo(ISID);
        assertThat(login.target().name()).isEqualTo(OPEN);
        assertThat(login.isDiscovery()).isFalse();
    }

    @Test
    void securityThenOperationalThenFullFeature() {
        LoginStep first = login.handle(request(true, 0, 1, firstKeys(OPEN, "None")));
        assertStatus(first, 0, 0);
        assertThat(first.transit()).isTrue();
        assertThat(first.nextStage()).isEqualTo(1);
        assertThat(first.entersFullFeaturePhase()).isFalse();
        assertThat(first.keys()).containsEntry("TargetPortalGroupTag", "7").doesNotContainKey("MaxRecvDataSegmentLength");

        LoginStep second = login.handle(request(true, 1, 3,
                keys("HeaderDigest", "CRC32C,None", "MaxBurstLength", "65536", "FirstBurstLength", "262144")));
        assertStatus(second, 0, 0);
        assertThat(second.currentStage()).isEqualTo(1);
        assertThat(second.entersFullFeaturePhase()).isTrue();
        assertThat(second.keys()).doesNotContainKey("TargetPortalGroupTag")
                .containsEntry("HeaderDigest", "CRC32C")
                .containsEntry("MaxBurstLength", "65536")
                .containsEntry("FirstBurstLength", "65536") // clamped to MaxBurstLength
                .containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(login.parameters().headerDigest()).isTrue();
        assertThat(login.parameters().firstBurstLength()).isEqualTo(65536);
    }

    @Test
    void maxRecvDataSegmentLengthIsDeclaredOnceWhenTheInitiatorDeclaredItEarlier() {
        Map<String, String> first = firstKeys(OPEN, "None");
        LoginStep step1 = login.handle(request(true, 0, 1, first));
        LoginStep step2 = login.handle(request(false, 1, 1, keys("MaxRecvDataSegmentLength", "65536")));
        assertThat(step2.keys()).containsEntry("MaxRecvDataSegmentLength", "262144");
        assertThat(step2.transit()).isFalse();
        LoginStep step3 = login.handle(request(true, 1, 3, keys()));
        assertThat(step3.entersFullFeaturePhase()).isTrue();
        assertThat(step3.keys()).doesNotContainKey("MaxRecvDataSegmentLength");
        assertThat(step1.keys()).doesNotContainKey("MaxRecvDataSegmentLength");
        assertThat(login.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
    }

    @Test
    void startingInOperationalStageWithoutChapIsAllowed() {
        Map<String, String> k = keys("InitiatorName", INITIATOR, "TargetName", OPEN);
        LoginStep step = login.handle(request(true, 1, 3, k));
        assertStatus(step, 0, 0);
        assertThat(step.entersFullFeaturePhase()).isTrue();
        assertThat(step.keys()).containsEntry("TargetPortalGroupTag", "7");
    }

    @Test
    void discoverySessionNeedsNoTargetName() {
        LoginStep step = login.handle(request(true, 0, 3,
                keys("InitiatorName", INITIATOR, "SessionType", "Discovery", "AuthMethod", "None")));
        assertStatus(step, 0, 0);
        assertThat(login.isDiscovery()).isTrue();
        assertThat(login.target()).isNull();
        assertThat(step.keys()).containsEntry("TargetPortalGroupTag", "7");
    }

    @Test
    void unknownKeysAreNotUnderstood() {
        Map<String, String> k = firstKeys(OPEN, "None");
        k.put("X-com.example.Vendor", "1");
        LoginStep step = login.handle(request(true, 0, 3, k));
        assertStatus(step, 0, 0);
        assertThat(step.keys()).containsEntry("X-com.example.Vendor", "NotUnderstood");
    }

    // ------------------------------------------------------------------ refusals

    @Test
    void missingInitiatorName() {
        LoginStep step = login.handle(request(true, 0, 3, keys("TargetName", OPEN, "AuthMethod", "None")));
        assertStatus(step, 0x02, 0x07);
    }

    @Test
    void missingTargetNameForANormalSession() {
        LoginStep step = login.handle(request(true, 0, 3, keys("InitiatorName", INITIATOR, "AuthMethod", "None")));
        assertStatus(step, 0x02, 0x07);
    }

    @Test
    void unknownTargetName() {
        LoginStep step = login.handle(request(true, 0, 3, firstKeys("iqn.2026-11.io.lunport:nosuch", "None")));
        assertStatus(step, 0x02, 0x03);
    }

    @Test
    void initiatorOnTheAllowListGoesOnToChap() {
        chapChallenge(LISTED);
    }

    @Test
    void initiatorNotOnTheAllowListIsNotAuthorized() {
        LoginStep step = login.handle(request(true, 0, 1, keys("InitiatorName", "iqn.1991-05.com.microsoft:host2",
                "SessionType", "Normal", "TargetName", LISTED, "AuthMethod", "CHAP,None")));
        assertStatus(step, 0x02, 0x02);
        assertThat(step.keys()).doesNotContainKey("AuthMethod");
        assertThat(login.failureStatus()).isEqualTo(LoginStatus.AUTHORIZATION_FAILURE);
        assertThat(login.failureReason()).isEqualTo("initiator not authorized: iqn.1991-05.com.microsoft:host2"
                + " is not on the allow-list of " + LISTED);
    }

    @Test
    void unknownSessionType() {
        LoginStep step = login.handle(request(true, 0, 3,
                keys("InitiatorName", INITIATOR, "SessionType", "Bogus", "AuthMethod", "None")));
        assertStatus(step, 0x02, 0x09);
    }

    @Test
    void nonZeroTsihIsRefusedAsSessionDoesNotExist() {
        LoginStep step = login.handle(request(true, false, 0, 3, 0x1234, TextParameters.encode(firstKeys(OPEN, "None"))));
        assertStatus(step, 0x02, 0x0A);
    }

    @Test
    void unsupportedVersion() {
        LoginRequest r = new LoginRequest(true, false, 0, 3, 2, 1, ISID, 0, 1, 0, 5, 0,
                TextParameters.encode(firstKeys(OPEN, "None")));
        assertStatus(login.handle(r), 0x02, 0x05);
    }

    @Test
    void transitAndContinueTogetherIsAnInitiatorError() {
        LoginStep step = login.handle(request(true, true, 0, 3, 0, TextParameters.encode(firstKeys(OPEN, "None"))));
        assertStatus(step, 0x02, 0x00);
    }

    @Test
    void transitBackwardsOrToStageTwoIsRefused() {
        assertThat(login.handle(request(true, 0, 1, firstKeys(OPEN, "None"))).succeeded()).isTrue();
        LoginNegotiation other = new LoginNegotiation(registry, new Portal(new InetSocketAddress("127.0.0.1", 3260), 7));
        assertStatus(other.handle(request(true, 0, 2, firstKeys(OPEN, "None"))), 0x02, 0x00);
        assertStatus(login.handle(request(true, 1, 0, keys())), 0x02, 0x00);
    }

    // ------------------------------------------------------------------ C bit

    @Test
    void textContinuedOverPdusIsAnsweredWhenComplete() {
        byte[] all = TextParameters.encode(firstKeys(OPEN, "None"));
        int cut = 20; // in the middle of the InitiatorName value
        LoginStep partial = login.handle(request(false, true, 0, 3, 0, Arrays.copyOfRange(all, 0, cut)));
        assertStatus(partial, 0, 0);
        assertThat(partial.transit()).isFalse();
        assertThat(partial.keys()).isEmpty();
        LoginStep rest = login.handle(request(true, false, 0, 3, 0, Arrays.copyOfRange(all, cut, all.length)));
        assertStatus(rest, 0, 0);
        assertThat(rest.entersFullFeaturePhase()).isTrue();
        assertThat(rest.keys()).containsEntry("TargetPortalGroupTag", "7").containsEntry("AuthMethod", "None");
        assertThat(login.initiatorName()).isEqualTo(INITIATOR);
    }

    // ------------------------------------------------------------------ CHAP

    @Test
    void chapWithTheRightSecret() throws Exception {
        LoginStep challenge = chapChallenge(SECURED);
        assertThat(hex(challenge.keys().get("CHAP_C")).length).isGreaterThanOrEqualTo(16);
        LoginStep answer = answer(challenge, "hyperv", CHAP.secret());
        assertStatus(answer, 0, 0);
        assertThat(answer.transit()).isTrue();
        assertThat(answer.nextStage()).isEqualTo(1);
        assertThat(answer.keys()).doesNotContainKeys("CHAP_N", "CHAP_R");
        LoginStep last = login.handle(request(true, 1, 3, keys()));
        assertThat(last.entersFullFeaturePhase()).isTrue();
    }

    @Test
    void chapResponseInBase64IsAccepted() throws Exception {
        LoginStep challenge = chapChallenge(SECURED);
        int id = Integer.parseInt(challenge.keys().get("CHAP_I"));
        byte[] c = hex(challenge.keys().get("CHAP_C"));
        String b64 = "0b" + java.util.Base64.getEncoder().encodeToString(md5(id, CHAP.secret(), c));
        assertStatus(login.handle(request(true, 0, 1, keys("CHAP_N", "hyperv", "CHAP_R", b64))), 0, 0);
    }

    @Test
    void chapWithTheWrongSecretFails() throws Exception {
        LoginStep answer = answer(chapChallenge(SECURED), "hyperv", "wrong-secret-123");
        assertStatus(answer, 0x02, 0x01);
        assertThat(login.failureReason()).doesNotContain(CHAP.secret());
    }

    @Test
    void chapWithTheWrongUserFails() throws Exception {
        assertStatus(answer(chapChallenge(SECURED), "someone", CHAP.secret()), 0x02, 0x01);
    }

    @Test
    void chapWithoutMd5Fails() {
        login.handle(request(true, 0, 1, firstKeys(SECURED, "CHAP")));
        assertStatus(login.handle(request(true, 0, 1, keys("CHAP_A", "6,7"))), 0x02, 0x01);
    }

    @Test
    void mutualChapTargetProvesItsSecret() throws Exception {
        byte[] ours = new byte[16];
        new java.util.Random(1).nextBytes(ours);
        LoginStep answer = answer(chapChallenge(MUTUAL), "hyperv", CHAP.secret(), "CHAP_I", "77", "CHAP_C", hex(ours));
        assertStatus(answer, 0, 0);
        assertThat(answer.keys()).containsEntry("CHAP_N", "target");
        assertThat(hex(answer.keys().get("CHAP_R"))).isEqualTo(md5(77, TARGET_CHAP.secret(), ours));
        assertThat(answer.transit()).isTrue();
    }

    @Test
    void mutualChapWhenNoneIsConfiguredFails() throws Exception {
        LoginStep answer = answer(chapChallenge(SECURED), "hyperv", CHAP.secret(),
                "CHAP_I", "77", "CHAP_C", "0x00112233445566778899aabbccddeeff");
        assertStatus(answer, 0x02, 0x01);
    }

    @Test
    void reflectedChallengeIsRefused() throws Exception {
        LoginStep challenge = chapChallenge(MUTUAL);
        LoginStep answer = answer(challenge, "hyperv", CHAP.secret(),
                "CHAP_I", challenge.keys().get("CHAP_I"), "CHAP_C", challenge.keys().get("CHAP_C"));
        assertStatus(answer, 0x02, 0x01);
        assertThat(answer.keys()).doesNotContainKey("CHAP_R");
    }

    @Test
    void skippingTheSecurityStageWhenChapIsRequiredIsRefused() {
        Map<String, String> k = keys("InitiatorName", INITIATOR, "TargetName", SECURED);
        assertStatus(login.handle(request(true, 1, 3, k)), 0x02, 0x01);
    }

    @Test
    void transitOutOfSecurityWithoutAuthMethodWhenChapIsRequiredIsRefused() {
        Map<String, String> k = keys("InitiatorName", INITIATOR, "TargetName", SECURED);
        assertStatus(login.handle(request(true, 0, 1, k)), 0x02, 0x01);
    }

    @Test
    void offeringOnlyNoneWhenChapIsRequiredIsRefused() {
        LoginStep step = login.handle(request(true, 0, 3, firstKeys(SECURED, "None")));
        assertStatus(step, 0x02, 0x01);
    }

    @Test
    void chapResponseBeforeTheChallengeIsRefused() {
        login.handle(request(false, 0, 0, firstKeys(SECURED, "CHAP")));
        assertStatus(login.handle(request(true, 0, 1, keys("CHAP_N", "hyperv", "CHAP_R", "0x00"))), 0x02, 0x01);
    }
}
