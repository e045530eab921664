package io.lunport.it;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the verbose log of libiscsi's {@code iscsi-test-cu -v} into per-test results.
 *
 * <p>The verbose log reads {@code Suite: NAME}, then per test {@code   Test: NAME ...}, the
 * test's own messages, and CUnit's verdict {@code passed} or {@code FAILED} (at the end of a
 * line), followed for failures by numbered assertion lines. CUnit counts a skipped test as
 * passed; such a test printed {@code [SKIPPED]}. Messages like {@code [FAILED] WRITESAME10 ...}
 * inside a test that then {@code passed} are not failures. The {@code Run Summary} gives the
 * totals, which the caller checks against the parse.
 */
public final class ConformanceLog {
    public enum Status { PASS, SKIP, FAIL, UNKNOWN }

    public record TestResult(String name, Status status, String log) {}

    private static final Pattern SUITE = Pattern.compile("^Suite: (\\S+)\\s*$");
    private static final Pattern TEST = Pattern.compile("^  Test: (\\S+) \\.\\.\\.(.*)$");
    private static final Pattern SUMMARY_TESTS = Pattern.compile("^\\s+tests\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s+(\\d+)\\s*$");

    public final List<TestResult> tests = new ArrayList<>();
    /** From the Run Summary line "tests Total Ran Passed Failed Inactive"; -1 when absent. */
    public int summaryRan = -1;
    public int summaryFailed = -1;

    public static ConformanceLog parse(String family, String log) {
        ConformanceLog c = new ConformanceLog();
        String suite = null;
        String test = null;
        StringBuilder body = new StringBuilder();
        for (String line : log.split("\\R", -1)) {
            Matcher m;
            if ((m = SUMMARY_TESTS.matcher(line)).matches()) {
                c.summaryRan = Integer.parseInt(m.group(2));
                c.summaryFailed = Integer.parseInt(m.group(4));
            }
            boolean boundary = SUITE.matcher(line).matches() || TEST.matcher(line).matches()
                    || line.startsWith("Run Summary:");
            if (boundary && test != null) {
                c.tests.add(new TestResult(test, verdict(body.toString()), body.toString()));
                test = null;
            }
            if ((m = SUITE.matcher(line)).matches()) {
                suite = m.group(1);
            } else if ((m = TEST.matcher(line)).matches()) {
                test = family + "." + suite + "." + m.group(1);
                body.setLength(0);
                body.append(m.group(2)).append('\n');
            } else if (test != null) {
                body.append(line).append('\n');
            }
        }
        if (test != null) {
            c.tests.add(new TestResult(test, verdict(body.toString()), body.toString()));
        }
        return c;
    }

    /**
     * CUnit's verdict is the word {@code passed} or {@code FAILED} at the end of the test's output:
     * on the {@code Test:} line itself, after the test's messages, or at the start of a line that
     * goes on with output printed after the verdict (e.g. by the suite teardown).
     */
    private static Status verdict(String body) {
        // Only what precedes the verdict belongs to the test: CUnit prints the next suite's
        // setup messages (e.g. a PERSISTENT RESERVE IN probe) on the verdict's own line.
        StringBuilder before = new StringBuilder();
        for (String line : body.split("\n")) {
            String t = line.strip();
            boolean message = t.startsWith("[");
            if (t.startsWith("FAILED") || (!message && t.endsWith("FAILED"))) {
                return Status.FAIL;
            }
            if (t.startsWith("passed") || (!message && t.endsWith("passed"))) {
                before.append(t, 0, t.startsWith("passed") ? 0 : t.length());
                return before.indexOf("[SKIPPED]") >= 0 ? Status.SKIP : Status.PASS;
            }
            before.append(line).append('\n');
        }
        return Status.UNKNOWN;
    }

    public long count(Status s) {
        return tests.stream().filter(t -> t.status() == s).count();
    }
}
