package io.lunport.server.cli;

import io.lunport.config.ConfigException;
import io.lunport.server.lun.LunFactory;
import io.lunport.translation.ImageFormatException;
import java.nio.file.NoSuchFileException;
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
        // An image that is missing or malformed is the user's to fix, like a wrong flag.
        if (e instanceof ConfigException config) {
            // One line per problem, each naming its file and line or its flag.
            config.problems().forEach(p -> cli.getErr().println(p));
            if (Arrays.asList(parsed.originalArgs().toArray(new String[0])).contains("--debug")) {
                e.printStackTrace(cli.getErr());
            }
            return Main.EXIT_USAGE;
        }
        boolean usage = e instanceof IllegalArgumentException || e instanceof LunFactory.LunException
                || e instanceof ImageFormatException || e instanceof NoSuchFileException
                || e instanceof io.lunport.overlay.OverlayException;
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
