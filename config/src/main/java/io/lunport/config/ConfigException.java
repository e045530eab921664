package io.lunport.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used: every problem found, errors and warnings, in file
 * line order, then those of command-line flags.
 */
public final class ConfigException extends Exception {

    private final List<ConfigProblem> problems;

    public ConfigException(List<ConfigProblem> problems) {
        this(problems.stream().sorted().toList(), true);
    }

    private ConfigException(List<ConfigProblem> sorted, boolean unused) {
        super(sorted.stream().map(ConfigProblem::toString).collect(Collectors.joining("\n")));
        this.problems = sorted;
    }

    public List<ConfigProblem> problems() {
        return problems;
    }
}
