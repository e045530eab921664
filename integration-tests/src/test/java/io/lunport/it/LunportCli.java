package io.lunport.it;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Runs one {@code lunport} command other than serve ({@code java -jar lunport.jar ARGS}) and returns what it printed. */
final class LunportCli {

    static final Duration TIMEOUT = Duration.ofMinutes(3);

    private LunportCli() {}

    /** The command line, for a test that starts the process itself. */
    static List<String> command(String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", LunportProcess.jar().toString()));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs the command and returns whatever happened; the caller asserts. */
    static Tools.Result run(String... args) {
        return Tools.run(TIMEOUT, command(args));
    }

    /** Runs the command; the test fails with its output unless it exits 0. */
    static Tools.Result check(String... args) {
        return Tools.check(TIMEOUT, command(args).toArray(String[]::new));
    }
}
