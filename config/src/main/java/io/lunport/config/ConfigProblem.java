package io.lunport.config;

/**
 * One thing wrong with a configuration, as the user reads it on stderr:
 * {@code lunport.yaml:12: targets[0].luns[1].id: duplicate LUN id 0 (first at line 9)}.
 * Messages never contain a secret.
 */
public record ConfigProblem(Severity severity, Origin origin, String message) implements Comparable<ConfigProblem> {

    public enum Severity { ERROR, WARNING }

    public static ConfigProblem error(Origin origin, String message) {
        return new ConfigProblem(Severity.ERROR, origin, message);
    }

    public static ConfigProblem warning(Origin origin, String message) {
        return new ConfigProblem(Severity.WARNING, origin, message);
    }

    public boolean isError() {
        return severity == Severity.ERROR;
    }

    /** File problems in line order first, then flags, each in the order found. */
    @Override
    public int compareTo(ConfigProblem other) {
        boolean file = origin.isFile();
        if (file != other.origin.isFile()) {
            return file ? -1 : 1;
        }
        return Integer.compare(origin.line(), other.origin.line());
    }

    @Override
    public String toString() {
        return origin.describe() + ": " + (isError() ? "" : "warning: ") + message;
    }
}
