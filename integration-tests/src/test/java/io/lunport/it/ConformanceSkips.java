package io.lunport.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The skips docs/conformance.md explains, read from its table under {@link #HEADING}: one row
 * per test, {@code | `Suite.Test` | LUN kinds | why |}, the name as {@code iscsi-test-cu --list}
 * spells it without the family (the same test runs in the SCSI, ALL and LINUX families), the
 * LUN kinds (overlay, direct, read-only) the skip is expected on, comma-separated.
 * ConformanceTest fails on a skip the table does not name and on a named skip that passed, so
 * the document stays true.
 */
final class ConformanceSkips {

    static final String HEADING = "## Every expected skip";

    /** Suite.Test to the LUN kinds it is expected to skip on. */
    final Map<String, Set<String>> expected;

    private ConformanceSkips(Map<String, Set<String>> expected) {
        this.expected = expected;
    }

    static ConformanceSkips read(Path document) throws IOException {
        return parse(Files.readString(document, StandardCharsets.UTF_8), document.toString());
    }

    static ConformanceSkips parse(String markdown, String source) {
        Map<String, Set<String>> expected = new LinkedHashMap<>();
        boolean inSection = false;
        int lineNumber = 0;
        for (String line : markdown.split("\\R")) {
            lineNumber++;
            if (line.startsWith("## ")) {
                inSection = line.strip().equals(HEADING);
                continue;
            }
            if (!inSection || !line.startsWith("| `")) {
                continue;
            }
            String[] cells = line.split("\\|");
            if (cells.length < 4) {
                throw new IllegalArgumentException(source + " line " + lineNumber + ": want | `Suite.Test` | LUNs | why |");
            }
            String test = cells[1].strip().replace("`", "");
            if (!test.matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+")) {
                throw new IllegalArgumentException(source + " line " + lineNumber + ": not a Suite.Test name: " + test);
            }
            Set<String> kinds = new TreeSet<>();
            Arrays.stream(cells[2].split(",")).map(String::strip).filter(s -> !s.isEmpty()).forEach(kinds::add);
            if (kinds.isEmpty() || expected.put(test, kinds) != null) {
                throw new IllegalArgumentException(source + " line " + lineNumber + ": no LUN kind, or " + test + " twice");
            }
        }
        if (expected.isEmpty()) {
            throw new IllegalArgumentException(source + ": no table of skips under \"" + HEADING + "\"");
        }
        return new ConformanceSkips(expected);
    }

    /** Family.Suite.Test without its family. */
    static String suiteAndTest(String name) {
        return name.substring(name.indexOf('.') + 1);
    }

    boolean expectedOn(String testName, String lunKind) {
        return expected.getOrDefault(suiteAndTest(testName), Set.of()).contains(lunKind);
    }

    /**
     * What is wrong with a run on a LUN kind: a skip not in the table, a skip in the table that
     * passed, and every failure (none is tolerated).
     */
    List<String> disagreements(ConformanceLog log, String lunKind) {
        List<String> wrong = new ArrayList<>();
        for (ConformanceLog.TestResult t : log.tests) {
            boolean listed = expectedOn(t.name(), lunKind);
            switch (t.status()) {
                case SKIP -> {
                    if (!listed) {
                        wrong.add("skipped, but not in docs/conformance.md for " + lunKind + ": " + t.name() + "\n"
                                + t.log().strip());
                    }
                }
                case PASS -> {
                    if (listed) {
                        wrong.add("passes now: remove it from docs/conformance.md for " + lunKind + ": " + t.name());
                    }
                }
                case FAIL, UNKNOWN -> wrong.add(t.status() + " " + t.name() + ":\n" + t.log().strip());
            }
        }
        return wrong;
    }
}
