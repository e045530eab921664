package io.lunport.server;

import io.lunport.config.IscsiName;
import io.lunport.iscsi.IscsiServer;
import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.server.lun.LunFactory;
import io.lunport.server.lun.LunSpec;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running lunport: the targets built from LUN specs, and the iSCSI server on its portals.
 * Closing it stops accepting, ends the sessions, flushes every device and closes the images.
 */
public final class LunportServer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LunportServer.class);

    private final TargetRegistry registry;
    private final IscsiServer server;
    private final List<Portal> portals;
    private final List<LogicalUnit> units;

    private LunportServer(TargetRegistry registry, IscsiServer server, List<Portal> portals, List<LogicalUnit> units) {
        this.registry = registry;
        this.server = server;
        this.portals = portals;
        this.units = units;
    }

    /**
     * @param chap       CHAP every target demands, or null
     * @param mutualChap what the target proves when asked, or null
     */
    public static LunportServer start(List<LunSpec> luns, List<InetSocketAddress> listen, ChapCredentials chap,
                                      ChapCredentials mutualChap, int workerThreads) throws IOException, InterruptedException {
        TargetRegistry registry = new TargetRegistry();
        List<ScsiTargetDevice> opened = new ArrayList<>();
        List<LogicalUnit> units = new ArrayList<>();
        TranslationContext context = TranslationContext.defaults();
        CopyTargets copyTargets = new CopyTargets(); // EXTENDED COPY reaches every LU of the server
        try {
            for (LunSpec spec : luns) {
                String iqn = IscsiName.forLunName(spec.name());
                LogicalUnit unit = LunFactory.open(spec, context);
                units.add(unit);
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
        IscsiServer server = new IscsiServer(registry, workerThreads);
        try {
            List<Portal> portals = server.bind(listen);
            // One target port group per portal (ALUA): the SCSI layer learns the tags once bound.
            List<Integer> tags = portals.stream().map(Portal::groupTag).toList();
            opened.forEach(device -> device.portGroups(tags));
            opened.forEach(device -> device.taskAborter(server.sessions())); // PREEMPT AND ABORT
            return new LunportServer(registry, server, portals, units);
        } catch (InterruptedException | RuntimeException e) {
            server.close();
            closeAll(opened);
            throw e;
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
