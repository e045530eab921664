package io.lunport.server.cli;

import io.lunport.translation.FileHoles;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lunport} command: one subcommand per task, exit codes as DESIGN.md fixes them. */
@Command(name = "lunport", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
        description = "Serves disk images and backups as iSCSI LUNs without converting them.")
public final class Main {

    /** Usage or configuration error. */
    public static final int EXIT_USAGE = 2;
    /** Failure at run time. */
    public static final int EXIT_FAILURE = 1;

    /** Every subcommand, in the order {@code lunport --help} lists them. */
    static final List<Class<?>> SUBCOMMANDS = List.of(ServeCommand.class, ReloadCommand.class, InspectCommand.class,
            OverlayCommand.class, ExportCommand.class, StubCommand.class, MountCommand.class, VersionCommand.class);

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        List<Class<?>> subcommands = subcommandsFor(args);
        if (subcommands.size() == 1 && OpensImages.class.isAssignableFrom(subcommands.get(0))) {
            FileHoles.preload();
        }
        CommandLine cli = new CommandLine(new Main());
        for (Class<?> subcommand : subcommands) {
            cli.addSubcommand(subcommand);
        }
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setParameterExceptionHandler(CliErrors::onParameterError);
        return cli.execute(args);
    }

    /**
     * The subcommands to give picocli: it builds each one's model by reflection before it
     * parses, which was a third of a one-shot command's start-up. When the first argument names
     * a subcommand only that one is built; otherwise (no argument, {@code --help}, a misspelt
     * name picocli should suggest a correction for) all of them.
     */
    static List<Class<?>> subcommandsFor(String... args) {
        if (args.length > 0) {
            for (Class<?> subcommand : SUBCOMMANDS) {
                if (subcommand.getAnnotation(Command.class).name().equals(args[0])) {
                    return List.of(subcommand);
                }
            }
        }
        return SUBCOMMANDS;
    }
}
