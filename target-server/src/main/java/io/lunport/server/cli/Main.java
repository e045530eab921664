package io.lunport.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code lunport} command: one subcommand per task, exit codes as DESIGN.md fixes them. */
@Command(name = "lunport", mixinStandardHelpOptions = true, versionProvider = VersionCommand.class,
        description = "Serves disk images and backups as iSCSI LUNs without converting them.",
        subcommands = {ServeCommand.class, ReloadCommand.class, InspectCommand.class, OverlayCommand.class,
                ExportCommand.class, StubCommand.class, MountCommand.class, VersionCommand.class})
public final class Main {

    /** Usage or configuration error. */
    public static final int EXIT_USAGE = 2;
    /** Failure at run time. */
    public static final int EXIT_FAILURE = 1;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler(new CliErrors());
        cli.setParameterExceptionHandler(CliErrors::onParameterError);
        return cli.execute(args);
    }
}
