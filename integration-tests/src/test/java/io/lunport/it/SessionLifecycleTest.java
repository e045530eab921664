package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What happens to a session over its life, seen on the wire: a second login with the same
 * initiator name and ISID replaces the first (session reinstatement), and the target pings
 * an idle connection with NOP-In, keeps it while the initiator answers, and drops it when
 * the initiator goes silent.
 */
class SessionLifecycleTest {

    private static final byte[] INQUIRY = {0x12, 0, 0, 0, 36, 0};
    /** Pings after the default 15 idle seconds, so no test here sees one by accident. */
    private static LunportProcess server;
    /** Pings after one idle second and drops after one more without an answer. */
    private static LunportProcess impatient;

    @BeforeAll
    static void start() {
        Path image = TestImages.holey(Itwork.dir("lifecycle").resolve("disk.raw"), 8L * TestImages.MIB, 21);
        server = LunportProcess.builder("lifecycle").lun("disk", image).readOnly().start();
        impatient = LunportProcess.builder("lifecycle-idle").lun("disk", image).readOnly()
                .jvmArg("-Dlunport.idleSeconds=1").start();
    }

    @AfterAll
    static void stop() {
        server.close();
        impatient.close();
    }

    @Test
    void secondLoginWithSameIsidReplacesTheFirst() throws Exception {
        String initiator = "iqn.2026-11.io.lunport:test-reinstatement";
        try (IscsiWire first = new IscsiWire("127.0.0.1", server.port(), Duration.ofSeconds(10));
             IscsiWire second = new IscsiWire("127.0.0.1", server.port(), Duration.ofSeconds(10))) {
            first.login(initiator, LunportProcess.iqn("disk"));
            assertThat(first.scsiRead(INQUIRY, 36).status()).isZero();

            second.login(initiator, LunportProcess.iqn("disk"));

            // Idle pings start 15 s after the INQUIRY and drop an unanswering connection 15 s later:
            // only the reinstatement can close it this soon.
            assertThat(first.closedWithin(Duration.ofSeconds(12))).as("the reinstated session's connection is closed").isTrue();
            IscsiWire.ScsiResult inquiry = second.scsiRead(INQUIRY, 36);
            assertThat(inquiry.status()).isZero();
            assertThat(new String(inquiry.data(), 8, 8, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("LUNPORT ");
        }
    }

    @Test
    void idleConnectionIsPingedAndKeptWhileItAnswers() throws Exception {
        try (IscsiWire wire = new IscsiWire("127.0.0.1", impatient.port(), Duration.ofSeconds(5))) {
            wire.login("iqn.2026-11.io.lunport:test-ping-answered", LunportProcess.iqn("disk"));
            for (int i = 0; i < 3; i++) {
                IscsiWire.Pdu ping = wire.read();
                assertThat(ping.opcode()).as("a NOP-In ping after an idle second").isEqualTo(IscsiWire.OP_NOP_IN);
                assertThat(ping.u32(16)).as("ITT of a target ping").isEqualTo(0xFFFFFFFF);
                assertThat(ping.u32(20)).as("TTT of a target ping asks for an answer").isNotEqualTo(0xFFFFFFFF);
                wire.answerPing(ping);
            }
            // Three idle periods have passed; answered pings kept the session.
            assertThat(wire.scsiRead(INQUIRY, 36).status()).isZero();
        }
    }

    @Test
    void silentConnectionIsDropped() throws Exception {
        try (IscsiWire wire = new IscsiWire("127.0.0.1", impatient.port(), Duration.ofSeconds(10))) {
            wire.login("iqn.2026-11.io.lunport:test-ping-ignored", LunportProcess.iqn("disk"));
            // Dropped some two seconds in (a ping after an idle second, then an unanswered second);
            // the deadline leaves a loaded machine room.
            assertThat(wire.closedWithin(Duration.ofSeconds(30))).as("an initiator that ignores pings is dropped").isTrue();
        }
        assertThat(impatient.isAlive()).isTrue();
    }
}
