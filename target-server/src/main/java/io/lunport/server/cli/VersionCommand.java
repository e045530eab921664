package io.lunport.server.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code lunport version}: the version of the jar, from its manifest. */
@Command(name = "version", description = "Prints the lunport version.")
public final class VersionCommand implements Runnable, CommandLine.IVersionProvider {

    @Override
    public void run() {
        System.out.println(getVersion()[0]);
    }

    @Override
    public String[] getVersion() {
        String version = Main.class.getPackage().getImplementationVersion();
        return new String[] {"lunport " + (version == null ? "development build" : version)};
    }
}
