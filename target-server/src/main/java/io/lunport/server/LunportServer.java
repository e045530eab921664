package io.lunport.server;

import com.codahale.metrics.jmx.JmxReporter;
import io.lunport.config.IscsiName;
import io.lunport.iscsi.IscsiServer;
import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.server.lun.LunFactory;
import io.lunport.server.lun.LunSpec;
import io.lunport.server.metrics.LunMetrics;
import io.lunport.server.metrics.MetricsEndpoint;
import io.lunport.server.metrics.ServerMetrics;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running lunport: the targets built from LUN specs, the iSCSI server on its portals, and
 * the metrics (JMX always, HTTP when asked). {@link #stopGracefully} asks the initiators to log
 * out first; closing stops accepting, ends the sessions, flushes every device and closes the
 * images.
 */
public final class LunportServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LunportServer.class);

    private final TargetRegistry registry;
    private final IscsiServer server;
    private final List<Portal> portals;
    private final List<LogicalUnit> units;
    private final JmxReporter jmx;
    private final MetricsEndpoint metricsEndpoint;

    private LunportServer(TargetRegistry registry, IscsiServer server, List<Portal> portals, List<LogicalUnit> units,
                          JmxReporter jmx, MetricsEndpoint metricsEndpoint) {
        this.registry = registry;
        this.server = server;
        this.portals = portals;
        this.units = units;
        this.jmx = jmx;
        this.metricsEndpoint = metricsEndpoint;
    }

    /**
     * @param chap       CHAP every target demands, or null
     * @param mutualChap what the target proves when asked, or null
     * @param metricsListen where to serve /metrics and /healthz over HTTP, or null for nowhere
     */
    public static LunportServer start(List<LunSpec> luns, List<InetSocketAddress> listen, ChapCredentials chap,
                                      ChapCredentials mutualChap, int workerThreads, InetSocketAddress metricsListen)
            throws IOException, InterruptedException {
        TargetRegistry registry = new TargetRegistry();
        List<ScsiTargetDevice> opened = new ArrayList<>();
        List<LogicalUnit> units = new ArrayList<>();
        TranslationContext context = TranslationContext.defaults();
        CopyTargets copyTargets = new CopyTargets(); // EXTENDED COPY reaches every LU of the server
        ServerMetrics metrics = new ServerMetrics(context);
        try {
            for (LunSpec spec : luns) {
                String iqn = IscsiName.forLunName(spec.name());
                LogicalUnit unit = LunFactory.open(spec, context);
                units.add(unit);
                metrics.addTarget(iqn);
                metrics.add(LunMetrics.attach(iqn, 0, unit,
                        unit.device() instanceof OverlayBlockDevice overlay ? overlay::bytesUsed : null));
                ScsiTargetDevice device = new ScsiTargetDevice(Map.of(0, unit));
                opened.add(device);
                copyTargets.register(iqn, unit);
                device.copyTargets(copyTargets);
                registry.add(new IscsiTarget(iqn, spec.name(), chap, mutualChap, device));
            }
        } catch (IOException | RuntimeException e) {
            closeAll(opened);
            throw e;
        }
        IscsiServer server = new IscsiServer(registry, workerThreads, metrics);
        metrics.countSessionsIn(server.sessions());
        JmxReporter jmx = null;
        MetricsEndpoint endpoint = null;
        try {
            jmx = metrics.exposeOverJmx();
            if (metricsListen != null) {
                endpoint = MetricsEndpoint.start(metrics, metricsListen);
                LOG.info("metrics on http://{}:{}/metrics", endpoint.address().getHostString(), endpoint.address().getPort());
            }
            List<Portal> portals = server.bind(listen);
            // One target port group per portal (ALUA): the SCSI layer learns the tags once bound.
            List<Integer> tags = portals.stream().map(Portal::groupTag).toList();
            opened.forEach(device -> device.portGroups(tags));
            opened.forEach(device -> device.taskAborter(server.sessions())); // PREEMPT AND ABORT
            return new LunportServer(registry, server, portals, units, jmx, endpoint);
        } catch (IOException | InterruptedException | RuntimeException e) {
            if (endpoint != null) {
                endpoint.close();
            }
            if (jmx != null) {
                jmx.close();
            }
            server.close();
            closeAll(opened);
            throw e;
        }
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
        if (metricsEndpoint != null) {
            metricsEndpoint.close();
        }
        jmx.close();
        for (LogicalUnit unit : units) {
            try {
                unit.device().flush();
            } catch (IOException e) {
                LOG.error("flushing a LUN failed: {}", e.getMessage());
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
