package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertInvalidCdbField;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static io.lunport.scsi.TestTask.NEXUS_A;
import static io.lunport.scsi.TestTask.NEXUS_B;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.device.DirectFileBlockDevice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Persistent reservations and SPC-2 RESERVE/RELEASE driven through {@link ScsiTargetDevice#execute}
 * from two and three I_T nexuses, as Windows failover cluster validation and libiscsi use them.
 */
class ReservationsTest {

    static final ItNexus NEXUS_C = new ItNexus("iqn.2026-01.test:c", 0x400001370003L, "iqn.2026-11.io.lunport:t", 1);

    /** Reads the state for the assertions; never registered, so it does not disturb what it observes. */
    static final ItNexus OBSERVER = new ItNexus("iqn.2026-01.test:observer", 0x400001370009L, "iqn.2026-11.io.lunport:t", 1);

    private static final int REGISTER = 0, RESERVE = 1, RELEASE = 2, CLEAR = 3, PREEMPT = 4, PREEMPT_AND_ABORT = 5,
            REGISTER_AND_IGNORE = 6, REGISTER_AND_MOVE = 7;
    private static final int WE = 1, EA = 3, WE_RO = 5, EA_RO = 6, WE_AR = 7, EA_AR = 8;
    private static final int APTPL = 0x01;

    @TempDir
    Path dir;

    private Path file;

    @BeforeEach
    void setUp() throws Exception {
        file = ScsiFixture.rawFile(dir, "disk.raw", 1 << 20);
    }

    // ------------------------------------------------------------------ helpers

    private ScsiTargetDevice withReservationFile(Path prFile) throws IOException {
        return new ScsiTargetDevice(Map.of(0, new LogicalUnit(DirectFileBlockDevice.open(file), 512, "SN0003", prFile)));
    }

    private static ScsiStatus prOut(ScsiTargetDevice t, ItNexus n, int sa, int type, long key, long saKey, int flags) {
        byte[] p = ByteBuffer.allocate(24).putLong(key).putLong(saKey).putInt(0).put((byte) flags).array();
        return t.execute(TestTask.out(0, p, 0x5F, sa, type, 0, 0, 0, 0, 0, 24, 0).from(n));
    }

    private static void register(ScsiTargetDevice t, ItNexus n, long key) {
        assertGood(prOut(t, n, REGISTER_AND_IGNORE, 0, 0, key, 0));
    }

    private static TestTask prIn(ScsiTargetDevice t, ItNexus n, int sa) {
        TestTask task = TestTask.in(0, 4096, 0x5E, sa, 0, 0, 0, 0, 0, 0x10, 0x00, 0).from(n);
        ScsiStatus status = t.execute(task);
        if (n == OBSERVER && status.hasSense() && SenseData.senseKey(status.sense()) == SenseData.UNIT_ATTENTION) {
            return prIn(t, n, sa); // the observer does not care what happened before
        }
        assertGood(status);
        return task;
    }

    private static List<Long> keys(ScsiTargetDevice t) {
        ByteBuffer b = ByteBuffer.wrap(prIn(t, OBSERVER, 0).dataInBytes());
        List<Long> keys = new ArrayList<>();
        for (int i = 8; i < 8 + b.getInt(4); i += 8) {
            keys.add(b.getLong(i));
        }
        return keys;
    }

    private static int generation(ScsiTargetDevice t) {
        return ByteBuffer.wrap(prIn(t, OBSERVER, 0).dataInBytes()).getInt(0);
    }

    /** READ RESERVATION: {key, type}, or null when not reserved. */
    private static long[] reservation(ScsiTargetDevice t) {
        ByteBuffer b = ByteBuffer.wrap(prIn(t, OBSERVER, 1).dataInBytes());
        return b.getInt(4) == 0 ? null : new long[] {b.getLong(8), b.get(21) & 0x0F};
    }

    private static ScsiStatus read(ScsiTargetDevice t, ItNexus n) {
        return t.execute(TestTask.in(0, 512, 0x28, 0, 0, 0, 0, 1, 0, 0, 1, 0).from(n));
    }

    private static ScsiStatus write(ScsiTargetDevice t, ItNexus n) {
        return t.execute(TestTask.out(0, new byte[512], 0x2A, 0, 0, 0, 0, 1, 0, 0, 1, 0).from(n));
    }

    private static ScsiStatus testUnitReady(ScsiTargetDevice t, ItNexus n) {
        return t.execute(TestTask.in(0, 0, 0x00, 0, 0, 0, 0, 0).from(n));
    }

    private static void assertConflict(ScsiStatus status) {
        assertThat(status.code()).as("%s", status).isEqualTo(ScsiStatus.RESERVATION_CONFLICT_CODE);
    }

    private static void assertUnitAttention(ScsiTargetDevice t, ItNexus n, int ascq) {
        assertSense(testUnitReady(t, n), SenseData.UNIT_ATTENTION, 0x2A, ascq);
    }

    /** Makes every nexus known to the LU and clears what is pending, as initiators do at login. */
    private static void login(ScsiTargetDevice t, ItNexus... nexuses) {
        for (ItNexus n : nexuses) {
            testUnitReady(t, n);
        }
    }

    // ------------------------------------------------------------------ the Windows cluster sequence

    @Test
    void windowsClusterArbitrationPreemptClearRelease() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            login(t, NEXUS_A, NEXUS_B, NEXUS_C);
            long keyA = 0x1122334455667788L;
            long keyB = 0x0102030405060708L;
            register(t, NEXUS_A, keyA);
            register(t, NEXUS_B, keyB);
            assertThat(keys(t)).containsExactly(keyA, keyB);
            assertThat(generation(t)).isEqualTo(2);

            // Node A arbitrates: Write Exclusive Registrants Only.
            assertGood(prOut(t, NEXUS_A, RESERVE, WE_RO, keyA, 0, 0));
            assertThat(reservation(t)).containsExactly(keyA, WE_RO);
            assertThat(generation(t)).as("RESERVE does not count").isEqualTo(2);
            assertGood(write(t, NEXUS_A));
            assertGood(write(t, NEXUS_B)); // registrants share access
            assertGood(read(t, NEXUS_C));
            assertConflict(write(t, NEXUS_C));
            // A second RESERVE of the same type by the holder is GOOD; another type conflicts.
            assertGood(prOut(t, NEXUS_A, RESERVE, WE_RO, keyA, 0, 0));
            assertConflict(prOut(t, NEXUS_A, RESERVE, EA_RO, keyA, 0, 0));
            assertConflict(prOut(t, NEXUS_B, RESERVE, WE_RO, keyB, 0, 0));

            // Node B decides A is dead and preempts it with A's key.
            assertGood(prOut(t, NEXUS_B, PREEMPT, WE_RO, keyB, keyA, 0));
            assertThat(reservation(t)).containsExactly(keyB, WE_RO);
            assertThat(keys(t)).containsExactly(keyB);
            assertThat(generation(t)).isEqualTo(3);
            assertUnitAttention(t, NEXUS_A, 0x05); // REGISTRATIONS PREEMPTED
            assertGood(testUnitReady(t, NEXUS_B));
            assertConflict(write(t, NEXUS_A));

            // A comes back, registers again and can write under the registrants only type.
            register(t, NEXUS_A, keyA);
            assertGood(write(t, NEXUS_A));

            // Validation ends with CLEAR: everyone else sees RESERVATIONS PREEMPTED.
            assertGood(prOut(t, NEXUS_B, CLEAR, 0, keyB, 0, 0));
            assertThat(keys(t)).isEmpty();
            assertThat(reservation(t)).isNull();
            assertUnitAttention(t, NEXUS_A, 0x03);
            assertGood(testUnitReady(t, NEXUS_B));
            assertGood(testUnitReady(t, NEXUS_C));
            assertGood(write(t, NEXUS_C));
        }
    }

    @Test
    void releaseOfRegistrantsOnlyTypeTellsTheOtherRegistrants() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            login(t, NEXUS_A, NEXUS_B, NEXUS_C);
            register(t, NEXUS_A, 1);
            register(t, NEXUS_B, 2);
            assertGood(prOut(t, NEXUS_A, RESERVE, EA_RO, 1, 0, 0));
            assertConflict(read(t, NEXUS_C));
            // A registered non-holder releases nothing, with GOOD.
            assertGood(prOut(t, NEXUS_B, RELEASE, EA_RO, 2, 0, 0));
            assertThat(reservation(t)).containsExactly(1, EA_RO);
            // The holder naming the wrong type: INVALID RELEASE OF PERSISTENT RESERVATION.
            assertSense(prOut(t, NEXUS_A, RELEASE, EA, 1, 0, 0), SenseData.ILLEGAL_REQUEST, 0x26, 0x04);
            // A wrong key, or no registration: RESERVATION CONFLICT.
            assertConflict(prOut(t, NEXUS_A, RELEASE, EA_RO, 9, 0, 0));
            assertConflict(prOut(t, NEXUS_C, RELEASE, EA_RO, 0, 0, 0));
            assertGood(prOut(t, NEXUS_A, RELEASE, EA_RO, 1, 0, 0));
            assertThat(reservation(t)).isNull();
            assertUnitAttention(t, NEXUS_B, 0x04); // RESERVATIONS RELEASED
            assertGood(testUnitReady(t, NEXUS_A));
            assertGood(testUnitReady(t, NEXUS_C)); // not registered: not told
            assertGood(read(t, NEXUS_C));
        }
    }

    @Test
    void registerRulesAndKeyChanges() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            // REGISTER from an unregistered nexus must carry reservation key 0.
            assertConflict(prOut(t, NEXUS_A, REGISTER, 0, 5, 7, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 0, 7, 0));
            // Registered: REGISTER must name the current key; REGISTER AND IGNORE need not.
            assertConflict(prOut(t, NEXUS_A, REGISTER, 0, 0, 8, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 7, 8, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER_AND_IGNORE, 0, 12345, 9, 0));
            assertThat(keys(t)).containsExactly(9L);
            // Several nexuses may use the same key; each keeps its own registration.
            register(t, NEXUS_B, 9);
            assertThat(keys(t)).containsExactly(9L, 9L);
            // Key 0 unregisters.
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 9, 0, 0));
            assertThat(keys(t)).containsExactly(9L);
            assertThat(generation(t)).isEqualTo(5);
        }
    }

    @Test
    void reconnectWithTheSameNameAndIsidKeepsRegistrationAndReservation() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            register(t, NEXUS_A, 0xAAL);
            assertGood(prOut(t, NEXUS_A, RESERVE, EA, 0xAAL, 0, 0));
            // The session drops; its nexus is lost, then the node logs in again: same name and ISID.
            t.nexusLost(NEXUS_A);
            ItNexus again = new ItNexus(NEXUS_A.initiatorName(), NEXUS_A.isid(), NEXUS_A.targetName(),
                    NEXUS_A.portalGroupTag());
            assertGood(write(t, again));
            assertThat(reservation(t)).containsExactly(0xAAL, EA);
            // Another ISID of the same host is another initiator port: not the holder.
            ItNexus otherIsid = new ItNexus(NEXUS_A.initiatorName(), 0x400001370099L, NEXUS_A.targetName(), 1);
            assertConflict(read(t, otherIsid));
            // A LU reset does not touch persistent reservations either.
            t.resetLogicalUnit(0, NEXUS_B);
            assertThat(reservation(t)).containsExactly(0xAAL, EA);
        }
    }

    // ------------------------------------------------------------------ access by type

    @Test
    void accessOfRegisteredAndUnregisteredNexusesForEveryType() throws Exception {
        // {type, registered B reads, registered B writes, unregistered C reads, unregistered C writes}
        int[][] expectations = {
            {WE, 1, 0, 1, 0},
            {EA, 0, 0, 0, 0},
            {WE_RO, 1, 1, 1, 0},
            {EA_RO, 1, 1, 0, 0},
            {WE_AR, 1, 1, 1, 0},
            {EA_AR, 1, 1, 0, 0},
        };
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            for (int[] e : expectations) {
                int type = e[0];
                register(t, NEXUS_A, 0xA);
                register(t, NEXUS_B, 0xB);
                assertGood(prOut(t, NEXUS_A, RESERVE, type, 0xA, 0, 0));
                long expectedKey = type == WE_AR || type == EA_AR ? 0 : 0xA;
                assertThat(reservation(t)).as("type %d", type).containsExactly(expectedKey, type);
                assertGood(read(t, NEXUS_A));
                assertGood(write(t, NEXUS_A));
                expectAccess(read(t, NEXUS_B), e[1], type);
                expectAccess(write(t, NEXUS_B), e[2], type);
                expectAccess(read(t, NEXUS_C), e[3], type);
                expectAccess(write(t, NEXUS_C), e[4], type);
                // Allowed for everyone under every type (SPC-4 table 65, SBC-3).
                assertGood(testUnitReady(t, NEXUS_C));
                assertGood(t.execute(TestTask.in(0, 36, 0x12, 0, 0, 0, 36, 0).from(NEXUS_C)));
                assertGood(t.execute(TestTask.in(0, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0).from(NEXUS_C)));
                assertGood(t.execute(TestTask.in(0, 32, 0x9E, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0)
                        .from(NEXUS_C)));
                assertGood(t.execute(TestTask.in(0, 16, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0).from(NEXUS_C)));
                prIn(t, NEXUS_C, 0);
                // MODE SENSE reads, MODE SELECT and SYNCHRONIZE CACHE write.
                expectAccess(t.execute(TestTask.in(0, 255, 0x1A, 0, 0x3F, 0, 255, 0).from(NEXUS_C)), e[3], type);
                expectAccess(t.execute(TestTask.in(0, 0, 0x35, 0, 0, 0, 0, 0, 0, 0, 0, 0).from(NEXUS_C)), e[4], type);
                // Unregistering B, then A releasing and unregistering, leaves the LU free.
                assertGood(prOut(t, NEXUS_B, REGISTER, 0, 0xB, 0, 0));
                expectAccess(write(t, NEXUS_B), e[4], type);
                assertGood(prOut(t, NEXUS_A, RELEASE, type, 0xA, 0, 0));
                assertGood(prOut(t, NEXUS_A, REGISTER, 0, 0xA, 0, 0));
                assertThat(reservation(t)).isNull();
                assertGood(write(t, NEXUS_C));
            }
        }
    }

    private static void expectAccess(ScsiStatus status, int allowed, int type) {
        if (allowed == 1) {
            assertThat(status.isGood()).as("type %d: %s", type, status).isTrue();
        } else {
            assertThat(status.code()).as("type %d: %s", type, status).isEqualTo(ScsiStatus.RESERVATION_CONFLICT_CODE);
        }
    }

    @Test
    void unregisteringTheHolderReleasesSingleHolderTypesOnly() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            login(t, NEXUS_A, NEXUS_B);
            // Write Exclusive: released silently.
            register(t, NEXUS_A, 1);
            register(t, NEXUS_B, 2);
            assertGood(prOut(t, NEXUS_A, RESERVE, WE, 1, 0, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 1, 0, 0));
            assertThat(reservation(t)).isNull();
            assertGood(testUnitReady(t, NEXUS_B));
            // Registrants only: released, the remaining registrants see RESERVATIONS RELEASED.
            register(t, NEXUS_A, 1);
            assertGood(prOut(t, NEXUS_A, RESERVE, WE_RO, 1, 0, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 1, 0, 0));
            assertThat(reservation(t)).isNull();
            assertUnitAttention(t, NEXUS_B, 0x04);
            // All registrants: lasts while anyone is registered, and anyone registered releases it.
            register(t, NEXUS_A, 1);
            assertGood(prOut(t, NEXUS_A, RESERVE, EA_AR, 1, 0, 0));
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 1, 0, 0));
            assertThat(reservation(t)).containsExactly(0, EA_AR);
            assertConflict(read(t, NEXUS_A));
            assertGood(prOut(t, NEXUS_B, RELEASE, EA_AR, 2, 0, 0));
            assertThat(reservation(t)).isNull();
            assertGood(prOut(t, NEXUS_B, REGISTER, 0, 2, 0, 0));
            assertThat(keys(t)).isEmpty();
        }
    }

    // ------------------------------------------------------------------ PREEMPT and REGISTER AND MOVE

    @Test
    void preemptWithoutReservationRemovesRegistrationsOnly() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            login(t, NEXUS_A, NEXUS_B, NEXUS_C);
            register(t, NEXUS_A, 1);
            register(t, NEXUS_B, 2);
            register(t, NEXUS_C, 1);
            int before = generation(t);
            assertGood(prOut(t, NEXUS_B, PREEMPT, EA, 2, 1, 0));
            assertThat(keys(t)).containsExactly(2L);
            assertThat(generation(t)).isEqualTo(before + 1);
            assertThat(reservation(t)).isNull();
            assertUnitAttention(t, NEXUS_A, 0x05);
            assertUnitAttention(t, NEXUS_C, 0x05);
            assertGood(testUnitReady(t, NEXUS_B));
            // A key nobody holds: RESERVATION CONFLICT; key 0 without a reservation: invalid field.
            assertConflict(prOut(t, NEXUS_B, PREEMPT, EA, 2, 77, 0));
            assertSense(prOut(t, NEXUS_B, PREEMPT, EA, 2, 0, 0), SenseData.ILLEGAL_REQUEST, 0x26, 0);
            // From an unregistered nexus: RESERVATION CONFLICT (SPC-4 table 66).
            assertConflict(prOut(t, NEXUS_A, PREEMPT, EA, 0, 2, 0));
            // PREEMPT AND ABORT preempts the same way; its abort half is preemptAndAbortAsksTheTransport...
            register(t, NEXUS_A, 1);
            assertGood(prOut(t, NEXUS_B, RESERVE, WE, 2, 0, 0));
            assertGood(prOut(t, NEXUS_A, PREEMPT_AND_ABORT, EA, 1, 2, 0));
            assertThat(reservation(t)).containsExactly(1, EA);
            assertThat(keys(t)).containsExactly(1L);
            assertUnitAttention(t, NEXUS_B, 0x05);
        }
    }

    @Test
    void preemptAndAbortAsksTheTransportToAbortThePreemptedNexusesTasksOnly() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            List<Integer> luns = new ArrayList<>();
            List<java.util.function.Predicate<ItNexus>> whose = new ArrayList<>();
            t.taskAborter((lun, nexuses) -> {
                luns.add(lun);
                whose.add(nexuses);
            });
            login(t, NEXUS_A, NEXUS_B, NEXUS_C);
            register(t, NEXUS_A, 1);
            register(t, NEXUS_B, 2);
            register(t, NEXUS_C, 3);
            assertGood(prOut(t, NEXUS_B, RESERVE, WE, 2, 0, 0));
            // Plain PREEMPT aborts nothing.
            assertGood(prOut(t, NEXUS_A, PREEMPT, WE, 1, 3, 0));
            assertThat(luns).isEmpty();
            // PREEMPT AND ABORT of the holder: B's tasks go, not A's (the requester) nor C's.
            assertUnitAttention(t, NEXUS_C, 0x05);
            register(t, NEXUS_C, 3);
            assertGood(prOut(t, NEXUS_A, PREEMPT_AND_ABORT, EA, 1, 2, 0));
            assertThat(luns).containsExactly(0);
            assertThat(whose.get(0).test(NEXUS_B)).isTrue();
            assertThat(whose.get(0).test(NEXUS_A)).isFalse();
            assertThat(whose.get(0).test(NEXUS_C)).isFalse();
            assertThat(reservation(t)).containsExactly(1, EA);
        }
    }

    @Test
    void preemptOfAllRegistrantsReservationWithKeyZeroTakesItOver() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            login(t, NEXUS_A, NEXUS_B, NEXUS_C);
            register(t, NEXUS_A, 1);
            register(t, NEXUS_B, 2);
            register(t, NEXUS_C, 3);
            assertGood(prOut(t, NEXUS_A, RESERVE, WE_AR, 1, 0, 0));
            // A non-zero key removes that registration; the reservation stays.
            assertGood(prOut(t, NEXUS_B, PREEMPT, WE_AR, 2, 3, 0));
            assertThat(reservation(t)).containsExactly(0, WE_AR);
            assertUnitAttention(t, NEXUS_C, 0x05);
            // Key zero: every other registration goes and B holds a reservation of the new type.
            assertGood(prOut(t, NEXUS_B, PREEMPT, EA, 2, 0, 0));
            assertThat(reservation(t)).containsExactly(2, EA);
            assertThat(keys(t)).containsExactly(2L);
            assertUnitAttention(t, NEXUS_A, 0x05);
        }
    }

    @Test
    void registerAndMoveHandsTheReservationToAnotherInitiatorPort() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            register(t, NEXUS_A, 0xA);
            assertGood(prOut(t, NEXUS_A, RESERVE, EA, 0xA, 0, 0));
            byte[] transportId = transportId(NEXUS_B.initiatorName() + ",i,0x" + String.format("%012x", NEXUS_B.isid()));
            byte[] list = ByteBuffer.allocate(24 + transportId.length).putLong(0xA).putLong(0xB)
                    .put((byte) 0).put((byte) 0x02) // UNREG
                    .putShort((short) 1).putInt(transportId.length).put(transportId).array();
            TestTask move = TestTask.out(0, list, 0x5F, REGISTER_AND_MOVE, 0, 0, 0, 0, 0, 0, list.length, 0);
            assertGood(t.execute(move));
            assertThat(reservation(t)).containsExactly(0xB, EA);
            assertThat(keys(t)).containsExactly(0xBL);
            assertGood(write(t, NEXUS_B));
            assertConflict(write(t, NEXUS_A));
            // Only the holder may move; A no longer is.
            assertConflict(t.execute(TestTask.out(0, list, 0x5F, REGISTER_AND_MOVE, 0, 0, 0, 0, 0, 0, list.length, 0)));
        }
    }

    private static byte[] transportId(String port) {
        byte[] name = port.getBytes(StandardCharsets.UTF_8);
        int additional = Math.max(20, (name.length + 1 + 3) & ~3);
        byte[] id = new byte[4 + additional];
        id[0] = 0x45;
        id[3] = (byte) additional;
        System.arraycopy(name, 0, id, 4, name.length);
        return id;
    }

    // ------------------------------------------------------------------ PERSISTENT RESERVE IN

    @Test
    void persistentReserveInServiceActionsOutOfRangeAreInvalidFields() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            for (int sa = 0; sa < 4; sa++) {
                prIn(t, NEXUS_A, sa);
            }
            for (int sa = 4; sa < 0x20; sa++) {
                assertInvalidCdbField(t.execute(TestTask.in(0, 4096, 0x5E, sa, 0, 0, 0, 0, 0, 0x10, 0, 0)), 1, 4);
            }
            for (int sa = 8; sa < 0x20; sa++) {
                assertInvalidCdbField(prOut(t, NEXUS_A, sa, 0, 0, 1, 0), 1, 4);
            }
        }
    }

    @Test
    void readKeysTruncatedKeepsItsLength() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            register(t, NEXUS_A, 0x77);
            TestTask task = TestTask.in(0, 8, 0x5E, 0, 0, 0, 0, 0, 0, 0, 8, 0);
            assertGood(t.execute(task));
            assertThat(task.dataInBytes()).containsExactly(0, 0, 0, 1, 0, 0, 0, 8);
        }
    }

    @Test
    void reportCapabilitiesIsTruthful() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            // No reservation file: PTPL_C and PTPL_A clear; CRH, ATP_C; TMV with ALLOW COMMANDS 001b; all six types.
            assertThat(prIn(t, NEXUS_A, 2).dataInBytes()).containsExactly(0, 8, 0x14, 0x90, 0xEA, 0x01, 0, 0);
            // APTPL cannot be honoured without a file: INVALID FIELD IN PARAMETER LIST at byte 20 bit 0.
            ScsiStatus status = prOut(t, NEXUS_A, REGISTER_AND_IGNORE, 0, 0, 5, APTPL);
            byte[] sense = assertSense(status, SenseData.ILLEGAL_REQUEST, 0x26, 0);
            assertThat(new int[] {sense[15] & 0xFF, sense[16], sense[17]}).containsExactly(0x88, 0, 20);
            // SPEC_I_PT is not supported (SIP_C 0): byte 20 bit 3.
            sense = assertSense(prOut(t, NEXUS_A, REGISTER, 0, 0, 5, 0x08), SenseData.ILLEGAL_REQUEST, 0x26, 0);
            assertThat(new int[] {sense[15] & 0xFF, sense[16], sense[17]}).containsExactly(0x8B, 0, 20);
            assertThat(keys(t)).isEmpty();
        }
        try (ScsiTargetDevice t = withReservationFile(dir.resolve("lu.pr"))) {
            assertThat(prIn(t, NEXUS_A, 2).dataInBytes()).containsExactly(0, 8, 0x15, 0x90, 0xEA, 0x01, 0, 0);
            register(t, NEXUS_A, 1);
            assertGood(prOut(t, NEXUS_A, REGISTER_AND_IGNORE, 0, 0, 1, APTPL));
            assertThat(prIn(t, NEXUS_A, 2).dataInBytes()).containsExactly(0, 8, 0x15, 0x91, 0xEA, 0x01, 0, 0);
        }
    }

    @Test
    void readFullStatusNamesInitiatorPortsAsIscsiTransportIds() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            register(t, NEXUS_A, 0xA);
            assertGood(prOut(t, NEXUS_B, REGISTER_AND_IGNORE, 0, 0, 0xB, 0x04)); // ALL_TG_PT
            assertGood(prOut(t, NEXUS_A, RESERVE, WE_RO, 0xA, 0, 0));
            ByteBuffer b = ByteBuffer.wrap(prIn(t, NEXUS_A, 3).dataInBytes());
            assertThat(b.getInt(0)).isEqualTo(2);
            assertThat(b.getInt(4)).isEqualTo(b.limit() - 8);
            int offset = 8;
            String[] ports = new String[2];
            for (int i = 0; i < 2; i++) {
                long key = b.getLong(offset);
                int flags = b.get(offset + 12);
                int scopeType = b.get(offset + 13);
                int relativePort = b.getShort(offset + 18);
                int idLength = b.getInt(offset + 20);
                assertThat(b.get(offset + 24)).isEqualTo((byte) 0x45); // format 01b, iSCSI
                int additional = b.getShort(offset + 26);
                assertThat(additional % 4).isZero();
                assertThat(idLength).isEqualTo(4 + additional);
                byte[] name = new byte[additional];
                b.get(offset + 28, name);
                ports[i] = new String(name, StandardCharsets.US_ASCII).replace("\0", "");
                if (i == 0) {
                    assertThat(key).isEqualTo(0xA);
                    assertThat(flags).isEqualTo(0x01); // R_HOLDER
                    assertThat(scopeType).isEqualTo(WE_RO);
                    assertThat(relativePort).isEqualTo(1);
                } else {
                    assertThat(key).isEqualTo(0xB);
                    assertThat(flags).isEqualTo(0x02); // ALL_TG_PT
                    assertThat(scopeType).isZero();
                }
                offset += 24 + idLength;
            }
            assertThat(offset).isEqualTo(b.limit());
            assertThat(ports).containsExactly("iqn.2026-01.test:a,i,0x400001370001", "iqn.2026-01.test:b,i,0x400001370002");
            // ALL_TG_PT: the same initiator port through another portal group is registered too.
            ItNexus bElsewhere = new ItNexus(NEXUS_B.initiatorName(), NEXUS_B.isid(), NEXUS_B.targetName(), 2);
            assertGood(write(t, bElsewhere));
        }
    }

    // ------------------------------------------------------------------ APTPL

    @Test
    void aptplStateSurvivesARestartOnTheSameFile() throws Exception {
        Path prFile = dir.resolve("cu.pr");
        try (ScsiTargetDevice t = withReservationFile(prFile)) {
            register(t, NEXUS_A, 0xA);
            assertThat(prFile).doesNotExist(); // APTPL not set yet: nothing is kept
            assertGood(prOut(t, NEXUS_B, REGISTER_AND_IGNORE, 0, 0, 0xB, APTPL));
            assertGood(prOut(t, NEXUS_A, RESERVE, EA_RO, 0xA, 0, 0));
            assertThat(prFile).exists();
            assertThat(dir.resolve("cu.pr.tmp")).doesNotExist();
        }
        try (ScsiTargetDevice t = withReservationFile(prFile)) {
            assertThat(keys(t)).containsExactly(0xAL, 0xBL);
            assertThat(generation(t)).isEqualTo(2);
            assertThat(reservation(t)).containsExactly(0xA, EA_RO);
            assertConflict(read(t, NEXUS_C));
            assertGood(write(t, NEXUS_B));
            // The last APTPL received governs: clearing it removes the file.
            assertGood(prOut(t, NEXUS_A, REGISTER, 0, 0xA, 0xA, 0));
            assertThat(prFile).doesNotExist();
        }
        try (ScsiTargetDevice t = withReservationFile(prFile)) {
            assertThat(keys(t)).isEmpty();
            assertThat(reservation(t)).isNull();
        }
    }

    @Test
    void tornOrCorruptReservationFileIsRefusedNeverEmptied() throws Exception {
        Path prFile = dir.resolve("cu.pr");
        try (ScsiTargetDevice t = withReservationFile(prFile)) {
            assertGood(prOut(t, NEXUS_A, REGISTER_AND_IGNORE, 0, 0, 0xA, APTPL));
            assertGood(prOut(t, NEXUS_A, RESERVE, WE, 0xA, 0, 0));
        }
        byte[] good = Files.readAllBytes(prFile);

        Files.write(prFile, java.util.Arrays.copyOf(good, good.length - 7)); // torn
        assertRefused(prFile, "corrupt");
        byte[] flipped = good.clone();
        flipped[20] ^= 0x40;
        Files.write(prFile, flipped);
        assertRefused(prFile, "checksum mismatch");
        Files.write(prFile, new byte[0]);
        assertRefused(prFile, "empty");
        Files.write(prFile, "hello, this is not a reservation file".getBytes(StandardCharsets.US_ASCII));
        assertRefused(prFile, "corrupt");

        Files.write(prFile, good);
        try (ScsiTargetDevice t = withReservationFile(prFile)) {
            assertThat(reservation(t)).containsExactly(0xA, WE);
        }
    }

    private void assertRefused(Path prFile, String why) {
        assertThatThrownBy(() -> new LogicalUnit(DirectFileBlockDevice.open(file), 512, "SN0003", prFile))
                .isInstanceOf(IOException.class)
                .hasMessageContaining(prFile.toString())
                .hasMessageContaining(why);
    }

    // ------------------------------------------------------------------ SPC-2 RESERVE / RELEASE

    @Test
    void reserve6AcrossTwoInitiators() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            TestTask reserve6 = TestTask.in(0, 0, 0x16, 0, 0, 0, 0, 0);
            TestTask release6 = TestTask.in(0, 0, 0x17, 0, 0, 0, 0, 0);
            TestTask modeSense = TestTask.in(0, 255, 0x1A, 0, 0x3F, 0, 255, 0);
            assertGood(t.execute(reserve6));
            assertGood(t.execute(reserve6)); // again by the holder
            assertConflict(t.execute(reserve6.from(NEXUS_B)));
            assertGood(t.execute(release6.from(NEXUS_B))); // not the holder: nothing happens
            assertGood(t.execute(modeSense));
            assertConflict(t.execute(modeSense.from(NEXUS_B)));
            assertConflict(testUnitReady(t, NEXUS_B));
            assertGood(t.execute(TestTask.in(0, 36, 0x12, 0, 0, 0, 36, 0).from(NEXUS_B)));
            // A PERSISTENT RESERVE OUT from another nexus conflicts with the SPC-2 reservation.
            assertConflict(prOut(t, NEXUS_B, REGISTER_AND_IGNORE, 0, 0, 1, 0));
            assertGood(t.execute(release6));
            assertGood(t.execute(reserve6.from(NEXUS_B)));
            assertConflict(write(t, NEXUS_A));
            // I_T nexus loss releases it (logout, dropped connection).
            t.nexusLost(NEXUS_B);
            assertGood(write(t, NEXUS_A));
            // So does a LU reset, and RESERVE(10)/RELEASE(10) are the same reservation.
            assertGood(t.execute(TestTask.in(0, 0, 0x56, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            assertConflict(write(t, NEXUS_B));
            t.resetLogicalUnit(0, NEXUS_B);
            assertThat(write(t, NEXUS_B).code()).isEqualTo(ScsiStatus.CHECK_CONDITION_CODE); // the reset's UA
            assertGood(write(t, NEXUS_B));
        }
    }

    @Test
    void spc2ReservationsYieldToPersistentRegistrations() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            TestTask reserve6 = TestTask.in(0, 0, 0x16, 0, 0, 0, 0, 0);
            TestTask release6 = TestTask.in(0, 0, 0x17, 0, 0, 0, 0, 0);
            register(t, NEXUS_A, 1);
            // Registrations present: RESERVE and RELEASE conflict for anyone without access...
            assertConflict(t.execute(reserve6.from(NEXUS_B)));
            assertConflict(t.execute(release6.from(NEXUS_B)));
            assertConflict(t.execute(reserve6));
            // ...and do nothing, with GOOD, for the holder (SPC-4 5.13.3).
            assertGood(prOut(t, NEXUS_A, RESERVE, WE, 1, 0, 0));
            assertGood(t.execute(reserve6));
            assertGood(t.execute(release6));
            assertThat(reservation(t)).containsExactly(1, WE);
            assertGood(read(t, NEXUS_B));
        }
    }

    @Test
    void thirdPartyAndExtentReservationsAreRefused() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            assertInvalidCdbField(t.execute(TestTask.in(0, 0, 0x16, 0x10 | 0x02, 0, 0, 0, 0)), 1, 4);
            assertInvalidCdbField(t.execute(TestTask.in(0, 0, 0x16, 0x01, 0, 0, 0, 0)), 1, 0);
            assertInvalidCdbField(t.execute(TestTask.in(0, 0, 0x56, 0x10, 0, 7, 0, 0, 0, 0, 0, 0)), 1, 4);
            assertInvalidCdbField(t.execute(TestTask.in(0, 0, 0x56, 0x02, 0, 0, 0, 0, 0, 0, 8, 0)), 1, 1);
            assertInvalidCdbField(t.execute(TestTask.in(0, 0, 0x57, 0x10, 0, 7, 0, 0, 0, 0, 0, 0)), 1, 4);
            // Nothing was reserved by the refused commands.
            assertGood(write(t, NEXUS_B));
        }
    }

    @Test
    void reserveChecksScopeAndTypeAndParameterListLength() throws Exception {
        try (ScsiTargetDevice t = ScsiFixture.writable(file, 512)) {
            register(t, NEXUS_A, 1);
            assertInvalidCdbField(prOut(t, NEXUS_A, RESERVE, 0x10 | WE, 1, 0, 0), 2, 7);
            assertInvalidCdbField(prOut(t, NEXUS_A, RESERVE, 2, 1, 0, 0), 2, 3);
            assertConflict(prOut(t, NEXUS_B, RESERVE, WE, 0, 0, 0)); // not registered
            byte[] shortList = new byte[16];
            assertSense(t.execute(TestTask.out(0, shortList, 0x5F, RESERVE, WE, 0, 0, 0, 0, 0, 16, 0)),
                    SenseData.ILLEGAL_REQUEST, 0x1A, 0);
            assertThat(reservation(t)).isNull();
        }
    }
}
