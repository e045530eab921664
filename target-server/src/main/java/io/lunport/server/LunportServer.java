package io.lunport.server;

import com.codahale.metrics.jmx.JmxReporter;
import io.lunport.config.ConfigException;
import io.lunport.config.LunportConfig;
import io.lunport.config.PortalConfig;
import io.lunport.iscsi.IscsiServer;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.server.metrics.MetricsEndpoint;
import io.lunport.server.metrics.ServerMetrics;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running lunport: the targets of a configuration, the iSCSI server on its portals, and the
 * metrics (JMX always, HTTP when asked). {@link #reload} serves an edited configuration
 * without a restart; {@link #stopGracefully} asks the initiators to log out first; closing
 * stops accepting, ends the sessions, flushes every device and closes the images.
 */
public final class LunportServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LunportServer.class);

    private final TargetRegistry registry;
    private final IscsiServer server;
    private final List<Portal> portals;
    private final Reconfigurer reconfigurer;
    private final JmxReporter jmx;
    private final MetricsEndpoint metricsEndpoint;

    private LunportServer(TargetRegistry registry, IscsiServer server, List<Portal> portals, Reconfigurer reconfigurer,
                          JmxReporter jmx, MetricsEndpoint metricsEndpoint) {
        this.registry = registry;
        this.server = server;
        this.portals = portals;
        this.reconfigurer = reconfigurer;
        this.jmx = jmx;
        this.metricsEndpoint = metricsEndpoint;
    }

    /**
     * Opens every target of {@code config} (validated by {@link io.lunport.config.ConfigValidator}),
     * then listens on its portals, and serves metrics at {@code metrics.listen} if the
     * configuration has it.
     *
     * @throws ConfigException when an image cannot be served: every such LUN, by key and line
     * @throws IOException     when the metrics endpoint cannot listen
     */
    public static LunportServer start(LunportConfig config, int workerThreads)
            throws ConfigException, IOException, InterruptedException {
        TranslationContext context = TranslationContext.defaults();
        TargetOpener.Opened opened = TargetOpener.open(config, config.targets(), context);
        List<ScsiTargetDevice> devices = opened.targets().stream().map(IscsiTarget::device).toList();
        TargetRegistry registry = new TargetRegistry();
        registry.setDiscoveryChap(TargetOpener.credentials(config.discoveryChap()));
        ServerMetrics metrics = new ServerMetrics(context);
        IscsiServer server = new IscsiServer(registry, workerThreads, metrics);
        metrics.countSessionsIn(server.sessions());
        JmxReporter jmx = null;
        MetricsEndpoint endpoint = null;
        try {
            jmx = metrics.exposeOverJmx();
            InetSocketAddress metricsListen = config.metrics() == null ? null : config.metrics().listen().address();
            if (metricsListen != null) {
                endpoint = MetricsEndpoint.start(metrics, metricsListen);
                LOG.info("metrics on http://{}:{}/metrics", endpoint.address().getHostString(), endpoint.address().getPort());
            }
            List<Portal> portals = server.bind(config.listen().stream().map(PortalConfig::address).toList());
            // One target port group per portal (ALUA): the SCSI layer learns the tags once bound.
            List<Integer> tags = portals.stream().map(Portal::groupTag).toList();
            // EXTENDED COPY reaches every LU of the server; PREEMPT AND ABORT reaches every session.
            TargetWiring wiring = new TargetWiring(metrics, new CopyTargets(), server.sessions(), tags);
            for (IscsiTarget target : opened.targets()) {
                wiring.plugIn(target);
                registry.add(target);
            }
            Reconfigurer reconfigurer = new Reconfigurer(config, registry, server.sessions(), context, wiring);
            return new LunportServer(registry, server, portals, reconfigurer, jmx, endpoint);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            if (jmx != null) {
                jmx.close();
            }
            server.close();
            closeAll(devices);
            throw e;
        }
    }

    /**
     * Serves {@code next} (validated) from now on without a restart: see {@link Reconfigurer}.
     *
     * @return a one-line summary of what changed, and what needs a restart to change
     * @throws ConfigException when an added image cannot be served; the running configuration stays
     */
    public Reconfigurer.Outcome reload(LunportConfig next) throws ConfigException {
        return reconfigurer.apply(next);
    }

    /** The HTTP metrics endpoint, or null when none was asked for. */
    public MetricsEndpoint metricsEndpoint() {
        return metricsEndpoint;
    }

    /**
     * The first half of a graceful stop (SIGTERM): /healthz turns 503, no new connection is
     * accepted, every logged-in initiator is asked to log out (Async Message) and given up to
     * {@code logoutWait} to do so; commands in flight finish meanwhile. {@link #close} does the
     * rest: whoever has not logged out is disconnected, devices are flushed and closed.
     */
    public void stopGracefully(Duration logoutWait) throws InterruptedException {
        if (metricsEndpoint != null) {
            metricsEndpoint.stopping();
        }
        server.stopAccepting();
        int open = server.sessions().sessions().size();
        if (open > 0) {
            LOG.info("stopping: asking {} session(s) to log out within {} s", open, logoutWait.toSeconds());
            int left = server.requestLogoutAndWait(logoutWait);
            if (left > 0) {
                LOG.info("stopping: {} session(s) did not log out in time and are disconnected", left);
            }
        }
    }

    public List<Portal> portals() {
        return portals;
    }

    public TargetRegistry registry() {
        return registry;
    }

    @Override
    public void close() {
        server.close();
        reconfigurer.close();
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        jmx.close();
        for (IscsiTarget target : registry.targets()) {
            for (LogicalUnit unit : target.device().units()) {
                try {
                    unit.device().flush();
                } catch (IOException e) {
                    LOG.error("flushing a LUN failed: {}", e.getMessage());
                }
            }
        }
        closeAll(registry.targets().stream().map(IscsiTarget::device).toList());
    }

    private static void closeAll(List<ScsiTargetDevice> devices) {
        for (ScsiTargetDevice device : devices) {
            try {
                device.close();
            } catch (IOException e) {
                LOG.error("closing a LUN failed: {}", e.getMessage());
            }
        }
    }
}
