package io.lunport.server.cli;

import io.lunport.config.ConfigException;
import io.lunport.config.ConfigProblem;
import io.lunport.server.LunportServer;
import io.lunport.server.Reconfigurer;
import io.lunport.server.admin.AdminSocket;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A reload of a running {@code serve}, whether SIGHUP or {@code lunport reload} asked for it:
 * the configuration file is read again with the flags the server started with, validated
 * as at start-up, and applied. A configuration that fails, or whose new images cannot be
 * opened, changes nothing; the answer then carries every message.
 */
final class LiveReload implements AdminSocket.Handler {

    private static final Logger LOG = LoggerFactory.getLogger(LiveReload.class);

    private final ServeConfiguration flags;
    private final LunportServer server;

    LiveReload(ServeConfiguration flags, LunportServer server) {
        this.flags = flags;
        this.server = server;
    }

    @Override
    public AdminSocket.Reply handle(String command) {
        if (!command.equals("reload")) {
            return new AdminSocket.Reply(false, List.of("unknown command '" + command + "' (known: reload)"));
        }
        return reload();
    }

    AdminSocket.Reply reload() {
        try {
            ServeConfiguration.Assembled assembled = flags.assemble(System::getenv);
            Reconfigurer.Outcome outcome = server.reload(assembled.config());
            List<String> lines = new ArrayList<>();
            lines.add("lunport: reloaded: " + outcome.summary());
            assembled.warnings().forEach(w -> lines.add(w.toString()));
            outcome.needsRestart().forEach(m -> lines.add("warning: " + m));
            return new AdminSocket.Reply(true, lines);
        } catch (ConfigException e) {
            LOG.warn("reload refused, the running configuration stays:\n{}", e.getMessage());
            return new AdminSocket.Reply(false, e.problems().stream().map(ConfigProblem::toString).toList());
        } catch (IOException | RuntimeException e) {
            LOG.warn("reload failed, the running configuration stays: {}", e.toString());
            return new AdminSocket.Reply(false, List.of("lunport: reload failed: " + e.getMessage()));
        }
    }
}
