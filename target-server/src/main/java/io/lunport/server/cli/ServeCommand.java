package io.lunport.server.cli;

import io.lunport.config.ChapConfig;
import io.lunport.config.ConfigProblem;
import io.lunport.config.IscsiName;
import io.lunport.config.LunportConfig;
import io.lunport.config.Origin;
import io.lunport.config.TargetConfig;
import io.lunport.iscsi.target.Portal;
import io.lunport.server.LunportServer;
import io.lunport.server.admin.AdminSocket;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/** {@code lunport serve}: serves images as iSCSI targets until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves images as iSCSI targets: those of --config FILE, and --lun NAME=PATH as iqn.2026-11.io.lunport:NAME, LUN 0.")
public final class ServeCommand implements java.util.concurrent.Callable<Integer>, OpensImages {

    // No static logger: picocli instantiates every subcommand to build the command line, and a
    // static logger would configure logback (0.3-0.6 s of start-up) for every command, export included.

    @Option(names = "--config", paramLabel = "FILE", description = "A YAML configuration file (docs/configuration.md). Flags add targets to it or override it.")
    Path config;

    @Option(names = "--lun", paramLabel = "NAME=PATH", description = "An image to serve as target iqn.2026-11.io.lunport:NAME. Repeatable.")
    List<String> luns = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "A portal to listen on; IPv6 as [ADDR]:PORT. Repeatable. Replaces the file's listen. Default 127.0.0.1:3260.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR", description = "Where overlays and the demo disk live. Replaces the file's stateDir. Default ./lunport-state.")
    Path stateDir;

    @Option(names = "--read-only", description = "Refuse every write to the --lun targets (WRITE PROTECTED).")
    boolean readOnly;

    @Option(names = "--direct", description = "Write into raw --lun images in place (scratch LUNs, load tests). Without it images are never changed.")
    boolean direct;

    @Option(names = "--block-size", defaultValue = "512", description = "Logical block size of the --lun targets: 512 or 4096.")
    int blockSize;

    @Option(names = "--demo", description = "Create a 64 MiB demo disk in the state directory once, and serve it.")
    boolean demo;

    @Option(names = "--chap-user", description = "CHAP user an initiator must log in to the --lun targets as.")
    String chapUser;

    @Option(names = "--chap-secret", description = "CHAP secret for --chap-user (12 to 16 bytes for Windows).")
    String chapSecret;

    @Option(names = "--mutual-user", description = "Mutual CHAP: the name the --lun targets prove themselves as.")
    String mutualUser;

    @Option(names = "--mutual-secret", description = "Mutual CHAP: the target's secret.")
    String mutualSecret;

    @Option(names = "--allow-no-auth", description = "Allow a non-loopback portal without CHAP (as allowNoAuth: true).")
    boolean allowNoAuth;

    @Option(names = "--workers", defaultValue = "16", description = "Threads that run SCSI commands (disk I/O).")
    int workers;

    @Option(names = "--metrics-listen", paramLabel = "HOST:PORT",
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics and health at /healthz (port default 9404). Default: off.")
    String metricsListen;

    @Mixin
    DebugOption debug;

    /**
     * How long a stop waits for initiators to log out after asking them to (system property
     * {@code lunport.logoutWaitSeconds}, default 5). A systemd TimeoutStopSec must exceed it.
     */
    static final Duration LOGOUT_WAIT = Duration.ofSeconds(Integer.getInteger("lunport.logoutWaitSeconds", 5));

    @Override
    public Integer call() throws Exception {
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("--block-size must be 512 or 4096, not " + blockSize);
        }
        ChapConfig chap = credentials("--chap-user", chapUser, "--chap-secret", chapSecret);
        ChapConfig mutual = credentials("--mutual-user", mutualUser, "--mutual-secret", mutualSecret);
        if (mutual != null && chap == null) {
            throw new IllegalArgumentException("--mutual-user needs --chap-user: mutual CHAP comes after the initiator's CHAP");
        }
        ServeConfiguration flags = new ServeConfiguration(config, listen, stateDir, luns, demo, readOnly, direct,
                blockSize, chap, mutual, allowNoAuth, metricsListen);
        ServeConfiguration.Assembled assembled = flags.assemble(System::getenv);
        assembled.warnings().forEach(w -> System.err.println(w));
        LunportConfig plan = assembled.config();

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (LunportServer server = LunportServer.start(plan, workers)) {
            LiveReload reloads = new LiveReload(flags, server);
            try (AdminSocket admin = openAdminSocket(plan, reloads)) {
                // SIGHUP and the admin socket may ask at once: the server applies one reload at a time.
                SignalHandler previous = Signal.handle(new Signal("HUP"), s -> reloads.reload());
                if (previous == SignalHandler.SIG_IGN) {
                    warnSighupIgnored(plan, admin != null);
                }
                String portals = server.portals().stream().map(Portal::hostPort)
                        .collect(Collectors.joining(" "));
                String names = plan.targets().stream().map(TargetConfig::iqn).collect(Collectors.joining(" "));
                System.out.println("lunport: serving " + names + " on " + portals);
                if (demo) {
                    printConnectHints(server.portals().get(0), IscsiName.forLunName(DemoDisk.NAME));
                }
                System.out.flush();
                stop.await();
                server.stopGracefully(LOGOUT_WAIT);
            }
        }
        return 0;
    }

    /**
     * The admin socket for {@code lunport reload}, or null when the state directory cannot
     * hold one (a UNIX socket path is limited to some 100 bytes): serving goes on, and
     * SIGHUP still reloads. Another server on the same state directory is an error.
     */
    private static AdminSocket openAdminSocket(LunportConfig plan, AdminSocket.Handler handler) {
        try {
            return AdminSocket.open(plan.stateDir(), handler);
        } catch (IOException e) {
            LoggerFactory.getLogger(ServeCommand.class).warn(
                    "no admin socket in {} ({}): 'lunport reload' cannot reach this server, SIGHUP still reloads",
                    plan.stateDir(), e.getMessage());
            return null;
        }
    }

    /**
     * A signal ignored when the JVM starts (nohup, some service managers) stays ignored whatever
     * handler is asked for, so a SIGHUP sent later would do nothing, silently.
     */
    private static void warnSighupIgnored(LunportConfig plan, boolean adminSocket) {
        LoggerFactory.getLogger(ServeCommand.class).warn("SIGHUP was ignored when lunport started (nohup or the service "
                + "manager), so it cannot reload the configuration; {}", adminSocket
                ? "'lunport reload --state-dir " + plan.stateDir() + "' can"
                : "without an admin socket either, a change needs a restart");
    }

    private static void printConnectHints(Portal portal, String iqn) {
        String address = portal.hostPort();
        System.out.println("  Linux:    iscsiadm -m discovery -t sendtargets -p " + address
                + " && iscsiadm -m node -T " + iqn + " -p " + address + " --login");
        System.out.println("  QEMU:     qemu-img info iscsi://" + address + "/" + iqn + "/0");
        System.out.println("  libiscsi: iscsi-inq iscsi://" + address + "/" + iqn + "/0");
        System.out.println("  Stop with Ctrl-C.");
    }

    private static ChapConfig credentials(String userFlag, String user, String secretFlag, String secret) {
        if (user == null && secret == null) {
            return null;
        }
        if (user == null || secret == null) {
            throw new IllegalArgumentException(userFlag + " and " + secretFlag + " go together");
        }
        ConfigProblem length = ChapConfig.secretLengthProblem(secret, Origin.flag(secretFlag)).orElse(null);
        if (length != null && length.isError()) {
            throw new IllegalArgumentException(length.toString());
        }
        if (length != null) {
            System.err.println(length);
        }
        return new ChapConfig(user, secret, Origin.flag(userFlag + " " + user));
    }
}
