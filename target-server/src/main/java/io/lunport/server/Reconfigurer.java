package io.lunport.server;

import io.lunport.config.ConfigChange;
import io.lunport.config.ConfigException;
import io.lunport.config.ConfigProblem;
import io.lunport.config.LunConfig;
import io.lunport.config.LunportConfig;
import io.lunport.config.TargetConfig;
import io.lunport.iscsi.session.SessionRegistry;
import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.TargetRegistry;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a new configuration to the running server (a reload): added targets and LUNs are
 * opened first, and only when every one of them opened is anything changed, so a reload
 * that fails leaves the running configuration as it was. Then added targets are offered,
 * added LUNs appear (REPORTED LUNS DATA HAS CHANGED for the target's other LUNs), removed
 * LUNs disappear the same way, and the sessions of removed targets are asked to log out.
 * Targets that did not change are not touched: their sessions never notice. What is added is
 * plugged into metrics, EXTENDED COPY and the rest as at start ({@link TargetWiring}); what is
 * removed is unplugged at once.
 *
 * <p>Removed units are closed after {@link #DRAIN_SECONDS}, so that commands already running
 * on them end first; removed targets after their sessions had {@link #LOGOUT_SECONDS} to
 * log out (and were then dropped). Reloads run one at a time.
 */
public final class Reconfigurer implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Reconfigurer.class);

    /** How long the sessions of a removed target have to log out (Async Message Parameter3). */
    static final int LOGOUT_SECONDS = 3;
    /** How long a removed unit stays open for the commands that were already running on it. */
    static final int DRAIN_SECONDS = 5;

    /** What a reload did: a one-line summary, and what it could not change without a restart. */
    public record Outcome(String summary, List<String> needsRestart) {
    }

    private final TargetRegistry registry;
    private final SessionRegistry sessions;
    private final TranslationContext context;
    private final TargetWiring wiring;
    private final ScheduledExecutorService retirement = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "lunport-retire");
        t.setDaemon(true);
        return t;
    });
    private LunportConfig current;

    Reconfigurer(LunportConfig current, TargetRegistry registry, SessionRegistry sessions, TranslationContext context,
                 TargetWiring wiring) {
        this.current = current;
        this.registry = registry;
        this.sessions = sessions;
        this.context = context;
        this.wiring = wiring;
    }

    /**
     * @param next a validated configuration
     * @throws ConfigException when an added image cannot be served; nothing has changed then
     */
    synchronized Outcome apply(LunportConfig next) throws ConfigException {
        ConfigChange change = ConfigChange.between(current, next);
        Opening opening = open(next, change);
        for (IscsiTarget target : opening.targets) {
            wiring.plugIn(target);
            registry.add(target);
        }
        for (int i = 0; i < change.changed().size(); i++) {
            applyChange(change.changed().get(i), opening.addedLuns.get(i));
        }
        for (TargetConfig removed : change.removed()) {
            takeDown(removed);
        }
        if (change.discoveryChap()) {
            registry.setDiscoveryChap(TargetOpener.credentials(next.discoveryChap()));
        }
        // Portals and the metrics endpoint stay as bound: the running configuration keeps the old ones.
        current = next.withListen(current.listen()).withMetrics(current.metrics());
        LOG.info("configuration reloaded: {}", change.summary());
        change.needsRestart().forEach(m -> LOG.warn("reload: {}", m));
        return new Outcome(change.summary(), change.needsRestart());
    }

    /** Everything a reload opens, before anything is changed. */
    private record Opening(List<IscsiTarget> targets, List<Map<Integer, LogicalUnit>> addedLuns) {
    }

    private Opening open(LunportConfig next, ConfigChange change) throws ConfigException {
        List<ConfigProblem> problems = overlaysStillInUse(next, change);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        List<Map<Integer, LogicalUnit>> addedLuns = new ArrayList<>();
        for (ConfigChange.TargetChange c : change.changed()) {
            addedLuns.add(TargetOpener.openLuns(next, c.after(), c.addedLuns(), context, problems));
        }
        TargetOpener.Opened added;
        try {
            added = TargetOpener.open(next, change.added(), context);
        } catch (ConfigException e) {
            problems.addAll(e.problems());
            added = null;
        }
        if (!problems.isEmpty()) {
            addedLuns.forEach(m -> m.values().forEach(TargetOpener::closeQuietly));
            if (added != null) {
                added.units().forEach(TargetOpener::closeQuietly);
            }
            throw new ConfigException(problems);
        }
        return new Opening(added.targets(), addedLuns);
    }

    /**
     * A LUN the reload opens must not write to an overlay that a LUN it retires still has
     * open (two writers on one overlay file would corrupt it): such a change is refused.
     */
    private List<ConfigProblem> overlaysStillInUse(LunportConfig next, ConfigChange change) {
        Map<Path, String> retiring = new HashMap<>();
        for (TargetConfig target : change.removed()) {
            target.luns().forEach(lun -> retiring.put(writableOverlay(current, target, lun), target.iqn() + " LUN " + lun.id()));
        }
        for (ConfigChange.TargetChange c : change.changed()) {
            c.removedLuns().forEach(lun -> retiring.put(writableOverlay(current, c.before(), lun), c.before().iqn() + " LUN " + lun.id()));
        }
        retiring.remove(null);
        List<ConfigProblem> problems = new ArrayList<>();
        List<Map.Entry<TargetConfig, LunConfig>> opening = new ArrayList<>();
        change.added().forEach(t -> t.luns().forEach(l -> opening.add(Map.entry(t, l))));
        change.changed().forEach(c -> c.addedLuns().forEach(l -> opening.add(Map.entry(c.after(), l))));
        for (Map.Entry<TargetConfig, LunConfig> e : opening) {
            String user = retiring.get(writableOverlay(next, e.getKey(), e.getValue()));
            if (user != null) {
                problems.add(ConfigProblem.error(e.getValue().origin(), "overlay " + next.overlayOf(e.getKey(), e.getValue())
                        + " is still open for " + user + ", which this reload takes down: take it down in one reload"
                        + " and bring the new LUN up in the next, or restart"));
            }
        }
        return problems;
    }

    /** The overlay a LUN writes to, absolute; null when it writes none (read-only or in place). */
    private static Path writableOverlay(LunportConfig config, TargetConfig target, LunConfig lun) {
        return lun.readOnly() || lun.direct() ? null : config.overlayOf(target, lun).toAbsolutePath().normalize();
    }

    private void applyChange(ConfigChange.TargetChange change, Map<Integer, LogicalUnit> opened) {
        IscsiTarget target = registry.find(change.after().iqn());
        ScsiTargetDevice device = target.device();
        for (LunConfig lun : change.removedLuns()) {
            LogicalUnit unit = device.removeUnit(lun.id());
            if (unit != null) {
                wiring.unplug(target.name(), lun.id(), unit);
                retirement.schedule(() -> retire(List.of(unit)), DRAIN_SECONDS, TimeUnit.SECONDS);
            }
        }
        opened.forEach((lun, unit) -> {
            wiring.plugIn(target.name(), lun, unit);
            device.addUnit(lun, unit);
        });
        if (change.loginRulesChanged()) {
            // New logins follow the new rules; sessions already logged in keep going.
            registry.replace(TargetOpener.iscsiTarget(change.after(), device));
        }
    }

    private void takeDown(TargetConfig removed) {
        IscsiTarget target = registry.remove(removed.iqn());
        if (target == null) {
            return;
        }
        wiring.unplug(target);
        int asked = sessions.requestLogout(removed.iqn(), LOGOUT_SECONDS, "target removed by a reload");
        LOG.info("target {} removed: {} session(s) asked to log out", removed.iqn(), asked);
        // The connections are gone one second after the logout deadline; then nothing runs on the units.
        retirement.schedule(() -> retire(target.device().units()), LOGOUT_SECONDS + DRAIN_SECONDS, TimeUnit.SECONDS);
    }

    private static void retire(List<LogicalUnit> units) {
        for (LogicalUnit unit : units) {
            try {
                unit.device().flush();
            } catch (IOException e) {
                LOG.error("flushing a removed LUN failed: {}", e.getMessage());
            }
            TargetOpener.closeQuietly(unit);
        }
    }

    /** Retires at once what was waiting to be retired (the server is stopping). */
    @Override
    public void close() {
        for (Runnable pending : retirement.shutdownNow()) {
            pending.run();
        }
    }
}
