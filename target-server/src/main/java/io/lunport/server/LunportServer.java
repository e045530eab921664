package io.lunport.server;

import io.lunport.config.ConfigException;
import io.lunport.config.LunportConfig;
import io.lunport.config.PortalConfig;
import io.lunport.iscsi.IscsiServer;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running lunport: the targets of a configuration, and the iSCSI server on its portals.
 * Closing it stops accepting, ends the sessions, flushes every device and closes the images.
 */
public final class LunportServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LunportServer.class);

    private final TargetRegistry registry;
    private final IscsiServer server;
    private final List<Portal> portals;
    private final Reconfigurer reconfigurer;

    private LunportServer(TargetRegistry registry, IscsiServer server, List<Portal> portals, Reconfigurer reconfigurer) {
        this.registry = registry;
        this.server = server;
        this.portals = portals;
        this.reconfigurer = reconfigurer;
    }

    /**
     * Opens every target of {@code config} (validated by {@link io.lunport.config.ConfigValidator}),
     * then listens on its portals.
     *
     * @throws ConfigException when an image cannot be served: every such LUN, by key and line
     */
    public static LunportServer start(LunportConfig config, int workerThreads)
            throws ConfigException, InterruptedException {
        TranslationContext context = TranslationContext.defaults();
        TargetOpener.Opened opened = TargetOpener.open(config, config.targets(), context);
        TargetRegistry registry = new TargetRegistry();
        opened.targets().forEach(registry::add);
        registry.setDiscoveryChap(TargetOpener.credentials(config.discoveryChap()));
        List<ScsiTargetDevice> devices = opened.targets().stream().map(IscsiTarget::device).toList();
        IscsiServer server = new IscsiServer(registry, workerThreads);
        try {
            List<Portal> portals = server.bind(config.listen().stream().map(PortalConfig::address).toList());
            // One target port group per portal (ALUA): the SCSI layer learns the tags once bound.
            List<Integer> tags = portals.stream().map(Portal::groupTag).toList();
            devices.forEach(device -> device.portGroups(tags));
            Reconfigurer reconfigurer = new Reconfigurer(config, registry, server.sessions(), context, tags);
            return new LunportServer(registry, server, portals, reconfigurer);
        } catch (InterruptedException | RuntimeException e) {
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
