package io.lunport.iscsi.session;

import static io.lunport.iscsi.session.CommandWindow.Admission.AHEAD;
import static io.lunport.iscsi.session.CommandWindow.Admission.IN_ORDER;
import static io.lunport.iscsi.session.CommandWindow.Admission.OUTSIDE;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** CmdSN admission and the ExpCmdSN/MaxCmdSN window (RFC 7143 section 4.2.2.1). */
class CommandWindowTest {

    @Test
    void startsWithAWindowOfDepthCommands() {
        CommandWindow w = new CommandWindow(10, 4);
        assertThat(w.expCmdSn()).isEqualTo(10);
        assertThat(w.maxCmdSn()).isEqualTo(13);
    }

    @Test
    void inOrderAdvancesExpCmdSn() {
        CommandWindow w = new CommandWindow(10, 4);
        assertThat(w.admit(10)).isEqualTo(IN_ORDER);
        assertThat(w.expCmdSn()).isEqualTo(11);
        assertThat(w.admit(11)).isEqualTo(IN_ORDER);
        assertThat(w.expCmdSn()).isEqualTo(12);
        assertThat(w.maxCmdSn()).as("nothing completed yet").isEqualTo(13);
    }

    @Test
    void aheadInsideTheWindowIsHeldWithoutAdvancing() {
        CommandWindow w = new CommandWindow(10, 4);
        assertThat(w.admit(12)).isEqualTo(AHEAD);
        assertThat(w.admit(13)).isEqualTo(AHEAD);
        assertThat(w.expCmdSn()).isEqualTo(10);
    }

    @Test
    void outsideBelowExpCmdSnAndAboveMaxCmdSn() {
        CommandWindow w = new CommandWindow(10, 4);
        assertThat(w.admit(14)).isEqualTo(OUTSIDE);
        assertThat(w.admit(9)).isEqualTo(OUTSIDE);
        assertThat(w.admit(10 + (1 << 30))).isEqualTo(OUTSIDE);
        assertThat(w.admit(10)).isEqualTo(IN_ORDER);
        assertThat(w.admit(10)).as("a duplicate").isEqualTo(OUTSIDE);
        assertThat(w.expCmdSn()).isEqualTo(11);
    }

    @Test
    void aFullWindowClosesWithMaxCmdSnOneBelowExpCmdSn() {
        CommandWindow w = new CommandWindow(10, 4);
        for (int sn = 10; sn < 14; sn++) {
            assertThat(w.admit(sn)).isEqualTo(IN_ORDER);
        }
        assertThat(w.expCmdSn()).isEqualTo(14);
        assertThat(w.maxCmdSn()).isEqualTo(13); // ExpCmdSN - 1: closed, and still valid for Windows
        w.completed();
        assertThat(w.maxCmdSn()).isEqualTo(14);
        assertThat(w.admit(14)).isEqualTo(IN_ORDER);
    }

    /**
     * RFC 7143 4.2.2.1: a non-immediate command outside ExpCmdSN..MaxCmdSN is ignored. When
     * the window is closed (MaxCmdSN = ExpCmdSN - 1) a command with CmdSN = ExpCmdSN is
     * outside it too, so an initiator that ignores MaxCmdSN is held to the queue depth.
     */
    @Test
    void aClosedWindowTakesNothing() {
        CommandWindow w = new CommandWindow(10, 4);
        for (int sn = 10; sn < 14; sn++) {
            w.admit(sn);
        }
        assertThat(w.admit(14)).isEqualTo(OUTSIDE);
        assertThat(w.expCmdSn()).isEqualTo(14);
    }

    @Test
    void maxCmdSnGrowsAsCommandsCompleteAndNeverDecreases() {
        CommandWindow w = new CommandWindow(100, 8);
        int previous = w.maxCmdSn();
        int next = 100;
        int inFlight = 0;
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 10_000; i++) {
            if (inFlight < 8 && random.nextBoolean()) {
                assertThat(w.admit(next++)).isEqualTo(IN_ORDER);
                inFlight++;
            } else if (inFlight > 0) {
                w.completed();
                inFlight--;
            }
            assertThat(SerialNumbers.lessOrEqual(previous, w.maxCmdSn())).isTrue();
            // Never more than depth commands outstanding, and the window never runs backwards.
            assertThat(w.maxCmdSn() - w.expCmdSn() + 1 + inFlight).isLessThanOrEqualTo(8);
            assertThat(SerialNumbers.lessOrEqual(w.expCmdSn() - 1, w.maxCmdSn())).isTrue();
            previous = w.maxCmdSn();
        }
    }

    @Test
    void wrapsAroundAt2To32() {
        CommandWindow w = new CommandWindow(0xFFFFFFFE, 4);
        assertThat(w.maxCmdSn()).isEqualTo(1);
        assertThat(w.admit(0xFFFFFFFE)).isEqualTo(IN_ORDER);
        assertThat(w.expCmdSn()).isEqualTo(0xFFFFFFFF);
        assertThat(w.admit(0)).isEqualTo(AHEAD);
        assertThat(w.admit(1)).isEqualTo(AHEAD);
        assertThat(w.admit(2)).isEqualTo(OUTSIDE);
        assertThat(w.admit(0xFFFFFFFD)).isEqualTo(OUTSIDE);
        assertThat(w.admit(0xFFFFFFFF)).isEqualTo(IN_ORDER);
        assertThat(w.expCmdSn()).isZero();
        assertThat(w.admit(0)).isEqualTo(IN_ORDER);
        w.completed();
        assertThat(w.maxCmdSn()).isEqualTo(2);
        w.completed();
        w.completed();
        assertThat(w.maxCmdSn()).isEqualTo(4);
    }
}
