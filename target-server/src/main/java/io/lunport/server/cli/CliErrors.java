package io.lunport.server.cli;

import io.lunport.server.lun.LunFactory;
import java.util.Arrays;
import picocli.CommandLine;

/**
 * Turns failures into one readable line on stderr and the exit code DESIGN.md promises:
 * 2 for what the user can fix on the command line, 1 for failures at run time. A stack
 * trace only with --debug.
 */
final class CliErrors implements CommandLine.IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception e, CommandLine cli, CommandLine.ParseResult parsed) {
        boolean usage = e instanceof IllegalArgumentException || e instanceof LunFactory.LunException;
        cli.getErr().println("lunport: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
        if (Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--debug")) {
            e.printStackTrace(cli.getErr());
        }
        return usage ? Main.EXIT_USAGE : Main.EXIT_FAILURE;
    }

    static int onParameterError(CommandLine.ParameterException e, String[] args) {
        CommandLine cli = e.getCommandLine();
        cli.getErr().println("lunport: " + e.getMessage());
        cli.getErr().println("Try '" + cli.getCommandSpec().qualifiedName() + " --help'.");
        return Main.EXIT_USAGE;
    }
}
