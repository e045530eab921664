package io.lunport.server.cli;

import picocli.CommandLine.Option;

/**
 * {@code --debug}, mixed into every command: errors then carry their stack trace
 * ({@link CliErrors} reads it off the command line, so it works for every command alike).
 */
final class DebugOption {

    @Option(names = "--debug", description = "Print stack traces with errors.")
    boolean debug;
}
