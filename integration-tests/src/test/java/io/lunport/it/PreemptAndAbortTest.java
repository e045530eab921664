package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * PREEMPT AND ABORT over two real sessions (SPC-4 5.13.11.2.6): initiator B holds a
 * reservation and has a READ the target holds back (its CmdSN is one ahead of the window);
 * initiator A preempts B with PREEMPT AND ABORT. When B then fills the gap, the held READ must
 * never run or answer: B's next commands get their own responses and nothing else.
 */
class PreemptAndAbortTest {
    static final int REGISTER = 0, RESERVE = 1, PREEMPT_AND_ABORT = 5, WRITE_EXCLUSIVE = 1;
    static final byte[] TEST_UNIT_READY = new byte[6];

    static IscsiWire.ScsiResult prOut(IscsiWire w, int serviceAction, int type, long key, long serviceActionKey)
            throws IOException {
        byte[] cdb = {0x5F, (byte) serviceAction, (byte) type, 0, 0, 0, 0, 0, 24, 0};
        byte[] parameters = ByteBuffer.allocate(24).putLong(key).putLong(serviceActionKey).array();
        return w.scsiWrite(cdb, parameters);
    }

    static IscsiWire login(LunportProcess s, String initiator) throws IOException {
        IscsiWire w = new IscsiWire("127.0.0.1", s.port(), Duration.ofSeconds(10));
        w.login(initiator, LunportProcess.iqn("disk"));
        w.scsiRead(TEST_UNIT_READY, 0); // takes the unit attention a new nexus starts with
        return w;
    }

    @Test
    void thePreemptedInitiatorsHeldCommandNeverRuns() throws IOException {
        Path dir = Itwork.dir("preempt-and-abort");
        Path image = TestImages.holey(dir.resolve("disk.raw"), 8L * TestImages.MIB, 3);
        try (LunportProcess s = LunportProcess.builder("preempt-and-abort").lun("disk", image)
                .stateDir(Itwork.fresh(dir.resolve("state"))).start();
             IscsiWire a = login(s, "iqn.2026-11.io.lunport:preempt-a");
             IscsiWire b = login(s, "iqn.2026-11.io.lunport:preempt-b")) {
            assertThat(prOut(b, REGISTER, 0, 0, 0xBBL).status()).isZero();
            assertThat(prOut(a, REGISTER, 0, 0, 0xAAL).status()).isZero();
            assertThat(prOut(b, RESERVE, WRITE_EXCLUSIVE, 0xBBL, 0).status()).isZero();

            byte[] read = {0x28, 0, 0, 0, 0, 0, 0, 0, 8, 0};
            int heldItt = b.sendAhead(read, 8 * 512);
            b.ping(); // the READ is now held by the target, not still on its way

            assertThat(prOut(a, PREEMPT_AND_ABORT, WRITE_EXCLUSIVE, 0xAAL, 0xBBL).status()).isZero();

            // B fills the gap: its TEST UNIT READYs are answered (REGISTRATIONS PREEMPTED first),
            // and a response to the aborted READ (ITT heldItt) would make scsiRead throw.
            IscsiWire.ScsiResult first = b.scsiRead(TEST_UNIT_READY, 0);
            IscsiWire.ScsiResult second = b.scsiRead(TEST_UNIT_READY, 0);
            assertThat(first.status()).as("unit attention REGISTRATIONS PREEMPTED").isEqualTo(2);
            assertThat(second.status()).isZero();
            assertThat(b.poll(Duration.ofSeconds(2))).as("a PDU after the aborted task 0x%s", Integer.toHexString(heldItt))
                    .isNull();
            assertThat(s.isAlive()).isTrue();
        }
    }
}
