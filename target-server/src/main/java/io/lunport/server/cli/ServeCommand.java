package io.lunport.server.cli;

import io.lunport.config.IscsiName;
import io.lunport.config.ListenAddress;
import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.Portal;
import io.lunport.server.LunportServer;
import io.lunport.server.lun.LunSpec;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import sun.misc.Signal;

/** {@code lunport serve}: serves images as iSCSI targets until SIGTERM or SIGINT. */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serves images as iSCSI targets (iqn.2026-11.io.lunport:NAME, LUN 0).")
public final class ServeCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--lun", paramLabel = "NAME=PATH", description = "An image to serve as target iqn.2026-11.io.lunport:NAME. Repeatable.")
    List<String> luns = new ArrayList<>();

    @Option(names = "--listen", paramLabel = "HOST:PORT", description = "A portal to listen on; IPv6 as [ADDR]:PORT. Repeatable. Default 127.0.0.1:3260.")
    List<String> listen = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR", defaultValue = "lunport-state", description = "Where overlays and the demo disk live. Default ./lunport-state.")
    Path stateDir;

    @Option(names = "--read-only", description = "Refuse every write (WRITE PROTECTED).")
    boolean readOnly;

    @Option(names = "--direct", description = "Write into raw images in place (scratch LUNs, load tests). Without it images are never changed.")
    boolean direct;

    @Option(names = "--block-size", defaultValue = "512", description = "Logical block size: 512 or 4096.")
    int blockSize;

    @Option(names = "--demo", description = "Create a 64 MiB demo disk in the state directory once, and serve it.")
    boolean demo;

    @Option(names = "--chap-user", description = "CHAP user every initiator must log in as.")
    String chapUser;

    @Option(names = "--chap-secret", description = "CHAP secret for --chap-user.")
    String chapSecret;

    @Option(names = "--mutual-user", description = "Mutual CHAP: the name the target proves itself as.")
    String mutualUser;

    @Option(names = "--mutual-secret", description = "Mutual CHAP: the target's secret.")
    String mutualSecret;

    @Option(names = "--allow-no-auth", description = "Allow a non-loopback portal without CHAP.")
    boolean allowNoAuth;

    @Option(names = "--workers", defaultValue = "16", description = "Threads that run SCSI commands (disk I/O).")
    int workers;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        List<InetSocketAddress> addresses = new ArrayList<>();
        for (String value : listen.isEmpty() ? List.of("127.0.0.1:" + ListenAddress.ISCSI_PORT) : listen) {
            try {
                addresses.add(ListenAddress.parse(value));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("--listen " + value + ": " + e.getMessage());
            }
        }
        if (blockSize != 512 && blockSize != 4096) {
            throw new IllegalArgumentException("--block-size must be 512 or 4096, not " + blockSize);
        }
        ChapCredentials chap = credentials("--chap-user", chapUser, "--chap-secret", chapSecret);
        ChapCredentials mutual = credentials("--mutual-user", mutualUser, "--mutual-secret", mutualSecret);
        if (mutual != null && chap == null) {
            throw new IllegalArgumentException("--mutual-user needs --chap-user: mutual CHAP comes after the initiator's CHAP");
        }
        if (chap == null && !allowNoAuth) {
            for (InetSocketAddress address : addresses) {
                if (!address.getAddress().isLoopbackAddress()) {
                    throw new IllegalArgumentException("--listen " + address.getHostString()
                            + " is not a loopback address: give --chap-user/--chap-secret, or --allow-no-auth");
                }
            }
        }
        List<LunSpec> specs = new ArrayList<>();
        if (demo) {
            specs.add(new LunSpec(DemoDisk.NAME, DemoDisk.ensure(stateDir), readOnly, true, blockSize).withStateIn(stateDir));
        }
        for (String value : luns) {
            specs.add(LunSpec.parse(value, readOnly, direct, blockSize).withStateIn(stateDir));
        }
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("nothing to serve: give --lun NAME=PATH or --demo");
        }
        for (LunSpec spec : specs) {
            IscsiName.forLunName(spec.name()); // fails early on a name that cannot be part of an IQN
        }

        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        try (LunportServer server = LunportServer.start(specs, addresses, chap, mutual, workers)) {
            String portals = server.portals().stream().map(Portal::hostPort)
                    .collect(Collectors.joining(" "));
            String names = specs.stream().map(s -> IscsiName.forLunName(s.name())).collect(Collectors.joining(" "));
            System.out.println("lunport: serving " + names + " on " + portals);
            if (demo) {
                printConnectHints(server.portals().get(0), IscsiName.forLunName(DemoDisk.NAME));
            }
            System.out.flush();
            stop.await();
        }
        return 0;
    }

    private static void printConnectHints(Portal portal, String iqn) {
        String address = portal.hostPort();
        System.out.println("  Linux:    iscsiadm -m discovery -t sendtargets -p " + address
                + " && iscsiadm -m node -T " + iqn + " -p " + address + " --login");
        System.out.println("  QEMU:     qemu-img info iscsi://" + address + "/" + iqn + "/0");
        System.out.println("  libiscsi: iscsi-inq iscsi://" + address + "/" + iqn + "/0");
        System.out.println("  Stop with Ctrl-C.");
    }

    private static ChapCredentials credentials(String userFlag, String user, String secretFlag, String secret) {
        if (user == null && secret == null) {
            return null;
        }
        if (user == null || secret == null) {
            throw new IllegalArgumentException(userFlag + " and " + secretFlag + " go together");
        }
        return new ChapCredentials(user, secret);
    }
}
