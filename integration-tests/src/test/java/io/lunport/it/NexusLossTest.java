package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * I_T nexus loss as another initiator sees it, through an SPC-2 RESERVE(6) that the loss
 * releases: once a logout is answered, or a new login has reinstated the session, the old
 * nexus is gone for everyone, with no delay to wait out; and the replaced connection, closed
 * later on its own event loop, does not undo what the new session (the same nexus) did.
 * Every IscsiWire logs in with the same ISID, so one initiator name is one nexus here.
 */
class NexusLossTest {
    static final byte[] TEST_UNIT_READY = new byte[6];
    static final byte[] RESERVE_6 = {0x16, 0, 0, 0, 0, 0};
    static final byte[] RELEASE_6 = {0x17, 0, 0, 0, 0, 0};
    static final int GOOD = 0, RESERVATION_CONFLICT = 0x18;
    static final String A = "iqn.2026-11.io.lunport:nexus-a", B = "iqn.2026-11.io.lunport:nexus-b";

    static LunportProcess server;

    @BeforeAll
    static void start() {
        Path image = TestImages.holey(Itwork.dir("nexus-loss").resolve("disk.raw"), 8L * TestImages.MIB, 31);
        server = LunportProcess.builder("nexus-loss").lun("disk", image).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    static IscsiWire login(String initiator) throws IOException {
        IscsiWire w = new IscsiWire("127.0.0.1", server.port(), Duration.ofSeconds(10));
        w.login(initiator, LunportProcess.iqn("disk"));
        w.scsiRead(TEST_UNIT_READY, 0); // takes the unit attention a new nexus may start with
        return w;
    }

    static int status(IscsiWire w, byte[] cdb) throws IOException {
        return w.scsiRead(cdb, 0).status();
    }

    @Test
    void aLoggedOutInitiatorsReservationIsGoneOnceTheLogoutIsAnswered() throws IOException {
        try (IscsiWire a = login(A); IscsiWire b = login(B)) {
            assertThat(status(a, RESERVE_6)).isEqualTo(GOOD);
            assertThat(status(b, RESERVE_6)).as("A holds the reservation").isEqualTo(RESERVATION_CONFLICT);

            assertThat(a.logout().opcode()).isEqualTo(IscsiWire.OP_LOGOUT_RSP);

            assertThat(status(b, RESERVE_6)).as("RESERVE(6) right after A's logout was answered").isEqualTo(GOOD);
            assertThat(status(b, RELEASE_6)).isEqualTo(GOOD);
        }
    }

    @Test
    void reinstatementLosesTheOldNexusBeforeTheNewLoginIsAnsweredAndNeverAfter() throws IOException {
        try (IscsiWire a = login(A); IscsiWire b = login(B)) {
            assertThat(status(a, RESERVE_6)).isEqualTo(GOOD);
            assertThat(status(b, RESERVE_6)).as("A holds the reservation").isEqualTo(RESERVATION_CONFLICT);

            try (IscsiWire again = login(A)) {
                assertThat(status(b, RESERVE_6)).as("RESERVE(6) right after A's session was reinstated").isEqualTo(GOOD);
                assertThat(status(b, RELEASE_6)).isEqualTo(GOOD);

                assertThat(status(again, RESERVE_6)).isEqualTo(GOOD);
                assertThat(a.closedWithin(Duration.ofSeconds(30))).as("the reinstated session's connection is closed").isTrue();
                assertThat(status(b, RESERVE_6)).as("the new session of A still holds the reservation")
                        .isEqualTo(RESERVATION_CONFLICT);
                assertThat(status(again, RELEASE_6)).isEqualTo(GOOD);
            }
        }
    }
}
