package io.lunport.server;

import io.lunport.config.ChapConfig;
import io.lunport.config.ConfigException;
import io.lunport.config.ConfigProblem;
import io.lunport.config.LunConfig;
import io.lunport.config.LunportConfig;
import io.lunport.config.TargetConfig;
import io.lunport.iscsi.target.ChapCredentials;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.server.lun.LunFactory;
import io.lunport.server.lun.LunSpec;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server-side stage of validation: opens the image of every LUN of a (validated)
 * configuration and builds the iSCSI targets. An image that cannot be served is reported
 * with its configuration key and line (or flag); every such problem comes out at once, and
 * nothing stays open when there is one.
 */
public final class TargetOpener {

    private static final Logger LOG = LoggerFactory.getLogger(TargetOpener.class);

    private TargetOpener() {
    }

    /** The targets ready to register, and their logical units (flushed on shutdown). */
    public record Opened(List<IscsiTarget> targets, List<LogicalUnit> units) {
    }

    public static Opened open(LunportConfig config, List<TargetConfig> targets, TranslationContext context)
            throws ConfigException {
        List<ConfigProblem> problems = new ArrayList<>();
        List<IscsiTarget> opened = new ArrayList<>();
        List<LogicalUnit> units = new ArrayList<>();
        for (TargetConfig target : targets) {
            Map<Integer, LogicalUnit> byLun = openLuns(config, target, target.luns(), context, problems);
            units.addAll(byLun.values());
            if (byLun.size() == target.luns().size()) {
                opened.add(iscsiTarget(target, new ScsiTargetDevice(byLun)));
            }
        }
        if (!problems.isEmpty()) {
            units.forEach(TargetOpener::closeQuietly);
            throw new ConfigException(problems);
        }
        return new Opened(opened, units);
    }

    /**
     * Opens {@code luns} of {@code target}; those that cannot be served are left out and
     * reported into {@code problems} by their {@code image} key.
     */
    public static Map<Integer, LogicalUnit> openLuns(LunportConfig config, TargetConfig target, List<LunConfig> luns,
                                                     TranslationContext context, List<ConfigProblem> problems) {
        Map<Integer, LogicalUnit> byLun = new LinkedHashMap<>();
        for (LunConfig lun : luns) {
            try {
                byLun.put(lun.id(), LunFactory.open(spec(config, target, lun), context));
            } catch (IOException | RuntimeException e) {
                problems.add(ConfigProblem.error(lun.imageOrigin(), "cannot serve " + lun.image() + ": "
                        + (e.getMessage() == null ? e.toString() : e.getMessage())));
            }
        }
        return byLun;
    }

    /** The iSCSI layer's view of a configured target, served by {@code device}. */
    public static IscsiTarget iscsiTarget(TargetConfig target, ScsiTargetDevice device) {
        return new IscsiTarget(target.iqn(), target.alias(), credentials(target.chap()), credentials(target.mutual()),
                new HashSet<>(target.initiators()), device);
    }

    /** The credentials the iSCSI layer checks; null when none are configured. */
    public static ChapCredentials credentials(ChapConfig chap) {
        return chap == null ? null : new ChapCredentials(chap.user(), chap.secret());
    }

    private static LunSpec spec(LunportConfig config, TargetConfig target, LunConfig lun) {
        return new LunSpec(lun.image(), lun.readOnly(), lun.direct(), lun.blockSize(),
                config.overlayOf(target, lun), config.reservationsOf(target, lun));
    }

    static void closeQuietly(LogicalUnit unit) {
        try {
            unit.device().close();
        } catch (IOException e) {
            LOG.error("closing a LUN failed: {}", e.getMessage());
        }
    }
}
