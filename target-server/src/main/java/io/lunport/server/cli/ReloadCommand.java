package io.lunport.server.cli;

import io.lunport.server.admin.AdminSocket;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code lunport reload}: asks the server serving with a state directory to read its
 * configuration again, over the admin socket there, and prints the outcome: what changed,
 * or every validation message (exit 2; the server keeps its running configuration).
 */
@Command(name = "reload", mixinStandardHelpOptions = true,
        description = "Makes a running 'lunport serve' re-read its configuration file (as SIGHUP does) and prints the outcome.")
public final class ReloadCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "lunport-state",
            description = "The state directory of the running server (its admin socket is DIR/" + AdminSocket.FILE_NAME + "). Default ./lunport-state.")
    Path stateDir;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() {
        AdminSocket.Reply reply;
        try {
            reply = AdminSocket.request(stateDir, "reload");
        } catch (IOException e) {
            System.err.println("lunport: no server answers on " + AdminSocket.path(stateDir) + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
        if (reply.ok()) {
            reply.lines().forEach(System.out::println);
            return 0;
        }
        reply.lines().forEach(System.err::println);
        return Main.EXIT_USAGE;
    }
}
