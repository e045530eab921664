package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * One-way CHAP: libiscsi takes the credentials in the URL ({@code iscsi://user%secret@host:port/...}),
 * QEMU as {@code user=} plus {@code password-secret=} naming a {@code --object secret}.
 * (Neither tool can ask for mutual CHAP, so --mutual-user is not exercised here.)
 */
class ChapTest {
    static final String USER = "alice";
    static final String SECRET = "secret-12chars";
    static LunportProcess server;

    @BeforeAll
    static void start() {
        Path image = TestImages.holey(Itwork.dir("chap").resolve("chap.raw"), 16L * TestImages.MIB, 11);
        server = LunportProcess.builder("chap").lun("locked", image).chap(USER, SECRET).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void rightSecretLogsIn() {
        String out = Tools.check("iscsi-inq", server.url("locked", USER, SECRET)).stdout();
        assertThat(out).as(out).containsPattern("(?m)^Vendor:LUNPORT");
    }

    @Test
    void wrongSecretIsRefused() {
        Tools.Result r = Tools.run(Duration.ofSeconds(30), "iscsi-inq", server.url("locked", USER, "wrong-secret-123"));
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stdout()).doesNotContain("Vendor:");
    }

    @Test
    void wrongUserIsRefused() {
        Tools.Result r = Tools.run(Duration.ofSeconds(30), "iscsi-inq", server.url("locked", "mallory", SECRET));
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stdout()).doesNotContain("Vendor:");
    }

    @Test
    void missingSecretIsRefused() {
        Tools.Result r = Tools.run(Duration.ofSeconds(30), "iscsi-inq", server.url("locked"));
        assertThat(r.timedOut()).as(r.describe()).isFalse();
        assertThat(r.exitCode()).as(r.describe()).isNotZero();
        assertThat(r.stdout()).doesNotContain("Vendor:");
    }

    @Test
    void qemuWithPasswordSecretReads() {
        String opts = "driver=iscsi,transport=tcp,portal=" + server.portal() + ",target=" + LunportProcess.iqn("locked")
                + ",lun=0,user=" + USER + ",password-secret=chap0";
        String out = Tools.check("qemu-img", "info", "--object", "secret,id=chap0,data=" + SECRET,
                "--image-opts", opts).stdout();
        assertThat(out).as(out).contains("virtual size: 16 MiB (16777216 bytes)");
        Tools.Result bad = Tools.run(Duration.ofSeconds(30), "qemu-img", "info", "--object", "secret,id=chap0,data=nope-nope-nope",
                "--image-opts", opts);
        assertThat(bad.exitCode()).as(bad.describe()).isNotZero();
    }
}
