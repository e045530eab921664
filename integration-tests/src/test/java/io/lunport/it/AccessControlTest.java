package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Access control from a configuration file, checked with libiscsi's tools: CHAP per target,
 * mutual CHAP (libiscsi takes the target's credentials from LIBISCSI_CHAP_TARGET_USERNAME
 * and _PASSWORD), discovery CHAP (credentials in the portal URL), an initiator allow-list at
 * login and in SendTargets, and the slow-down of failed logins.
 */
class AccessControlTest {

    static final String DISCOVERY_USER = "discover";
    static final String DISCOVERY_SECRET = "disc-secret-12";
    static final String ALICE = "alice";
    static final String ALICE_SECRET = "alice-secret-1";
    static final String BOB = "bob";
    static final String BOB_SECRET = "bob-secret-1234";
    static final String GAMMA_TARGET_USER = "gamma-target";
    static final String GAMMA_TARGET_SECRET = "gamma-mutual-12";
    static final String ALLOWED = "iqn.2026-11.io.lunport.test:allowed";
    static final String UNLISTED = "iqn.2026-11.io.lunport.test:unlisted";
    static final List<String> SECRETS = List.of(DISCOVERY_SECRET, ALICE_SECRET, BOB_SECRET, GAMMA_TARGET_SECRET);

    static Path image0;
    static Path image1;
    static LunportProcess server;

    @BeforeAll
    static void start() throws IOException {
        Path dir = Itwork.fresh(Itwork.dir().resolve("access"));
        image0 = TestImages.holey(dir.resolve("zero.raw"), 8L * TestImages.MIB, 21);
        image1 = TestImages.holey(dir.resolve("one.raw"), 12L * TestImages.MIB, 22);
        Files.writeString(dir.resolve("bob.secret"), BOB_SECRET + "\n");
        String yaml = """
                discoveryAuth: { chap: { user: %s, secret: "%s" } }
                targets:
                  - iqn: iqn.2026-11.io.lunport:open
                    luns:
                      - { id: 0, image: zero.raw, readOnly: true }
                      - { id: 1, image: one.raw, readOnly: true }
                  - iqn: iqn.2026-11.io.lunport:alpha
                    auth: { chap: { user: %s, secret: "%s" } }
                    luns: [ { id: 0, image: zero.raw, readOnly: true } ]
                  - iqn: iqn.2026-11.io.lunport:beta
                    auth: { chap: { user: %s, secretFile: bob.secret } }
                    luns: [ { id: 0, image: one.raw, readOnly: true } ]
                  - iqn: iqn.2026-11.io.lunport:gamma
                    auth:
                      chap:   { user: %s, secret: "%s" }
                      mutual: { user: %s, secret: "%s" }
                    luns: [ { id: 0, image: zero.raw, readOnly: true } ]
                  - iqn: iqn.2026-11.io.lunport:listed
                    initiators: ["%s"]
                    luns: [ { id: 0, image: one.raw, readOnly: true } ]
                """.formatted(DISCOVERY_USER, DISCOVERY_SECRET, ALICE, ALICE_SECRET, BOB, ALICE, ALICE_SECRET,
                GAMMA_TARGET_USER, GAMMA_TARGET_SECRET, ALLOWED);
        Path config = dir.resolve("lunport.yaml");
        Files.writeString(config, yaml);
        server = LunportProcess.builder("access").config(config).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String url(String target, int lun) {
        return "iscsi://" + server.portal() + "/" + LunportProcess.iqn(target) + "/" + lun;
    }

    private static String url(String target, String user, String secret) {
        return "iscsi://" + user + "%" + secret + "@" + server.portal() + "/" + LunportProcess.iqn(target) + "/0";
    }

    private static String discoveryUrl(String user, String secret) {
        return "iscsi://" + user + "%" + secret + "@" + server.portal();
    }

    private static Tools.Result run(String... command) {
        return Tools.run(Duration.ofSeconds(30), command);
    }

    private static void assertRefused(Tools.Result r) {
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stdout()).as(r.describe()).doesNotContain("Vendor:");
    }

    @Test
    void aTargetOfTheFileServesEachOfItsLuns() {
        String lun0 = Tools.check("iscsi-readcapacity16", url("open", 0)).stdout();
        String lun1 = Tools.check("iscsi-readcapacity16", url("open", 1)).stdout();
        assertThat(lun0).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (8 * TestImages.MIB / 512 - 1) + "\n");
        assertThat(lun1).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (12 * TestImages.MIB / 512 - 1) + "\n");
    }

    @Test
    void eachTargetTakesItsOwnCredentials() {
        assertThat(Tools.check("iscsi-inq", url("alpha", ALICE, ALICE_SECRET)).stdout()).containsPattern("(?m)^Vendor:LUNPORT");
        assertThat(Tools.check("iscsi-inq", url("beta", BOB, BOB_SECRET)).stdout()).containsPattern("(?m)^Vendor:LUNPORT");
    }

    @Test
    void credentialsOfAnotherTargetAreRefusedAndLoggedWithoutTheSecret() throws IOException {
        assertRefused(run("iscsi-inq", url("alpha", BOB, BOB_SECRET)));
        assertRefused(run("iscsi-inq", url("beta", ALICE, ALICE_SECRET)));
        assertRefused(run("iscsi-inq", url("beta", BOB, ALICE_SECRET)));
        String log = Files.readString(server.log());
        assertThat(log).contains("login failed: initiator iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-inq (/127.0.0.1:")
                .contains(" to " + LunportProcess.iqn("alpha") + ": CHAP user bob did not prove the secret");
        assertThat(SECRETS).allSatisfy(secret -> assertThat(log).doesNotContain(secret));
    }

    @Test
    void mutualChapTargetProvesItself() {
        Map<String, String> right = Map.of("LIBISCSI_CHAP_TARGET_USERNAME", GAMMA_TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD", GAMMA_TARGET_SECRET);
        Tools.Result ok = Tools.run(Duration.ofSeconds(30), right, List.of("iscsi-inq", url("gamma", ALICE, ALICE_SECRET)));
        assertThat(ok.ok()).as(ok.describe()).isTrue();
        assertThat(ok.stdout()).containsPattern("(?m)^Vendor:LUNPORT");
        // The initiator expects another target secret: the target's proof does not match, libiscsi gives up.
        Map<String, String> wrong = Map.of("LIBISCSI_CHAP_TARGET_USERNAME", GAMMA_TARGET_USER,
                "LIBISCSI_CHAP_TARGET_PASSWORD", "not-the-target-1");
        assertRefused(Tools.run(Duration.ofSeconds(30), wrong, List.of("iscsi-inq", url("gamma", ALICE, ALICE_SECRET))));
    }

    @Test
    void discoveryNeedsItsOwnChap() {
        String listing = Tools.check("iscsi-ls", discoveryUrl(DISCOVERY_USER, DISCOVERY_SECRET)).stdout();
        assertThat(listing).contains("Target:" + LunportProcess.iqn("open"), "Target:" + LunportProcess.iqn("alpha"));
        Tools.Result none = run("iscsi-ls", server.portalUrl());
        assertThat(none.exitCode()).as(none.describe()).isNotZero();
        assertThat(none.stdout()).doesNotContain("Target:");
        Tools.Result wrong = run("iscsi-ls", discoveryUrl(DISCOVERY_USER, "wrong-secret-12"));
        assertThat(wrong.exitCode()).as(wrong.describe()).isNotZero();
        assertThat(wrong.stdout()).doesNotContain("Target:");
    }

    @Test
    void allowListAdmitsListedInitiatorsOnly() throws IOException {
        assertThat(Tools.check("iscsi-inq", "-i", ALLOWED, url("listed", 0)).stdout()).containsPattern("(?m)^Vendor:LUNPORT");
        assertRefused(run("iscsi-inq", "-i", UNLISTED, url("listed", 0)));
        assertRefused(run("iscsi-inq", url("listed", 0)));
        assertThat(Files.readString(server.log())).contains("login failed: initiator " + UNLISTED + " (/127.0.0.1:")
                .contains("initiator not authorized: " + UNLISTED + " is not on the allow-list of " + LunportProcess.iqn("listed"));
    }

    @Test
    void discoveryListsOnlyTheTargetsTheInitiatorMayLogInTo() {
        String allowed = Tools.check("iscsi-ls", "-i", ALLOWED, discoveryUrl(DISCOVERY_USER, DISCOVERY_SECRET)).stdout();
        String unlisted = Tools.check("iscsi-ls", "-i", UNLISTED, discoveryUrl(DISCOVERY_USER, DISCOVERY_SECRET)).stdout();
        assertThat(allowed).contains("Target:" + LunportProcess.iqn("listed"), "Target:" + LunportProcess.iqn("open"));
        assertThat(unlisted).contains("Target:" + LunportProcess.iqn("open")).doesNotContain(LunportProcess.iqn("listed"));
    }

    @Test
    void repeatedFailuresFromOneAddressAreAnsweredMoreSlowly() throws IOException {
        // Three failures in a row from 127.0.0.1: the third waits at least 100 << 2 ms.
        assertRefused(run("iscsi-inq", url("alpha", ALICE, "wrong-secret-01")));
        assertRefused(run("iscsi-inq", url("alpha", ALICE, "wrong-secret-02")));
        long start = System.nanoTime();
        assertRefused(run("iscsi-inq", url("alpha", ALICE, "wrong-secret-03")));
        long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
        assertThat(elapsedMillis).isGreaterThanOrEqualTo(400);
        assertThat(Files.readString(server.log())).containsPattern("failure [3-9]\\d* from this address, answered after \\d+ ms");
    }
}
