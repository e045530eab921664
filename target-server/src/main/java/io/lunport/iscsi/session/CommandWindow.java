package io.lunport.iscsi.session;

/**
 * The CmdSN window of a session (RFC 7143 section 4.2.2.1): ExpCmdSN, the next command it
 * expects, and MaxCmdSN, the last one it will take. MaxCmdSN = ExpCmdSN + depth - 1 - the
 * commands still in flight, so an initiator can never have more than {@code depth} commands
 * outstanding, and the window only grows as commands complete.
 *
 * <p>Not thread-safe: used on the session's event loop.
 */
public final class CommandWindow {

    public enum Admission {
        /** CmdSN equals ExpCmdSN: run it now; ExpCmdSN advanced. */
        IN_ORDER,
        /** Inside the window but ahead of ExpCmdSN: hold it until the gap is filled. */
        AHEAD,
        /** Outside the window, or already seen: RFC 7143 says silently ignore it. */
        OUTSIDE
    }

    private final int depth;
    private int expCmdSn;
    private int maxCmdSn;
    private int inFlight;

    public CommandWindow(int initialCmdSn, int depth) {
        this.depth = depth;
        this.expCmdSn = initialCmdSn;
        this.maxCmdSn = initialCmdSn + depth - 1;
    }

    /** Classifies a non-immediate command's CmdSN; an IN_ORDER command counts as in flight. */
    public Admission admit(int cmdSn) {
        if (cmdSn == expCmdSn && SerialNumbers.lessOrEqual(cmdSn, maxCmdSn)) {
            expCmdSn++;
            inFlight++;
            return Admission.IN_ORDER;
        }
        if (SerialNumbers.lessThan(expCmdSn, cmdSn) && SerialNumbers.lessOrEqual(cmdSn, maxCmdSn)) {
            return Admission.AHEAD;
        }
        return Admission.OUTSIDE;
    }

    /** A non-immediate command finished (its response was sent or it was aborted). */
    public void completed() {
        inFlight--;
        int candidate = expCmdSn + depth - 1 - inFlight;
        if (SerialNumbers.lessThan(maxCmdSn, candidate)) {
            maxCmdSn = candidate;
        }
    }

    public int expCmdSn() {
        return expCmdSn;
    }

    public int maxCmdSn() {
        return maxCmdSn;
    }

    public int depth() {
        return depth;
    }
}
