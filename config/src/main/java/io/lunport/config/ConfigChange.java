package io.lunport.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a reload changes between the running configuration and a new one, compared by what
 * is served, never by where it was written (a target that merely moved down the file is
 * unchanged). Targets are matched by name, LUNs by id.
 *
 * @param added         targets to open and offer
 * @param removed       targets to take down (their sessions are asked to log out first)
 * @param changed       kept targets whose LUNs or login rules differ
 * @param discoveryChap whether discovery CHAP differs
 * @param needsRestart  what a reload cannot change on a running server (portals, the metrics
 *                      endpoint), as messages
 */
public record ConfigChange(List<TargetConfig> added, List<TargetConfig> removed, List<TargetChange> changed,
                           boolean discoveryChap, List<String> needsRestart) {

    /**
     * A kept target: LUNs to add, LUNs to remove (a LUN whose settings changed is in both),
     * and whether its alias, credentials or allow-list differ (they apply to new logins).
     */
    public record TargetChange(TargetConfig before, TargetConfig after, List<LunConfig> addedLuns,
                               List<LunConfig> removedLuns, boolean loginRulesChanged) {
    }

    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && !discoveryChap;
    }

    public static ConfigChange between(LunportConfig before, LunportConfig after) {
        Map<String, TargetConfig> old = byName(before.targets());
        Map<String, TargetConfig> now = byName(after.targets());
        List<TargetConfig> added = new ArrayList<>();
        List<TargetConfig> removed = new ArrayList<>();
        List<TargetChange> changed = new ArrayList<>();
        for (TargetConfig target : after.targets()) {
            TargetConfig previous = old.get(target.iqn());
            if (previous == null) {
                added.add(target);
            } else {
                TargetChange change = compare(before, previous, after, target);
                if (change != null) {
                    changed.add(change);
                }
            }
        }
        for (TargetConfig target : before.targets()) {
            if (!now.containsKey(target.iqn())) {
                removed.add(target);
            }
        }
        List<String> restart = new ArrayList<>();
        List<String> oldListen = before.listen().stream().map(PortalConfig::text).toList();
        List<String> newListen = after.listen().stream().map(PortalConfig::text).toList();
        if (!oldListen.equals(newListen)) {
            restart.add("listen changed from " + oldListen + " to " + newListen + ": portals change on a restart only");
        }
        String oldMetrics = metricsListen(before);
        String newMetrics = metricsListen(after);
        if (!oldMetrics.equals(newMetrics)) {
            restart.add("metrics.listen changed from " + oldMetrics + " to " + newMetrics
                    + ": the metrics endpoint moves on a restart only");
        }
        return new ConfigChange(added, removed, changed, !sameChap(before.discoveryChap(), after.discoveryChap()), restart);
    }

    private static String metricsListen(LunportConfig config) {
        return config.metrics() == null ? "none" : config.metrics().listen().text();
    }

    private static TargetChange compare(LunportConfig beforeConfig, TargetConfig before, LunportConfig afterConfig,
                                        TargetConfig after) {
        Map<Integer, LunConfig> oldLuns = new LinkedHashMap<>();
        before.luns().forEach(l -> oldLuns.put(l.id(), l));
        Map<Integer, LunConfig> newLuns = new LinkedHashMap<>();
        after.luns().forEach(l -> newLuns.put(l.id(), l));
        List<LunConfig> addedLuns = new ArrayList<>();
        List<LunConfig> removedLuns = new ArrayList<>();
        for (LunConfig lun : after.luns()) {
            LunConfig previous = oldLuns.get(lun.id());
            if (previous == null) {
                addedLuns.add(lun);
            } else if (!sameLun(beforeConfig.overlayOf(before, previous), previous, afterConfig.overlayOf(after, lun), lun)) {
                removedLuns.add(previous);
                addedLuns.add(lun);
            }
        }
        for (LunConfig lun : before.luns()) {
            if (!newLuns.containsKey(lun.id())) {
                removedLuns.add(lun);
            }
        }
        boolean rules = !Objects.equals(before.alias(), after.alias()) || !sameChap(before.chap(), after.chap())
                || !sameChap(before.mutual(), after.mutual()) || !before.initiators().equals(after.initiators());
        if (addedLuns.isEmpty() && removedLuns.isEmpty() && !rules) {
            return null;
        }
        return new TargetChange(before, after, addedLuns, removedLuns, rules);
    }

    private static boolean sameLun(Path oldOverlay, LunConfig a, Path newOverlay, LunConfig b) {
        return a.image().equals(b.image()) && oldOverlay.equals(newOverlay) && a.readOnly() == b.readOnly()
                && a.direct() == b.direct() && a.blockSize() == b.blockSize();
    }

    private static boolean sameChap(ChapConfig a, ChapConfig b) {
        if (a == null || b == null) {
            return a == b;
        }
        return a.user().equals(b.user()) && a.secret().equals(b.secret());
    }

    private static Map<String, TargetConfig> byName(List<TargetConfig> targets) {
        Map<String, TargetConfig> map = new LinkedHashMap<>();
        targets.forEach(t -> map.put(t.iqn(), t));
        return map;
    }

    /** One line for the reload's answer and log: what was added, removed and changed. */
    public String summary() {
        if (isEmpty()) {
            return "no change";
        }
        List<String> parts = new ArrayList<>();
        added.forEach(t -> parts.add("added " + t.iqn()));
        removed.forEach(t -> parts.add("removed " + t.iqn()));
        for (TargetChange c : changed) {
            List<String> what = new ArrayList<>();
            c.addedLuns().forEach(l -> what.add("+LUN " + l.id()));
            c.removedLuns().forEach(l -> what.add("-LUN " + l.id()));
            if (c.loginRulesChanged()) {
                what.add("login rules");
            }
            parts.add("changed " + c.after().iqn() + " (" + String.join(", ", what) + ")");
        }
        if (discoveryChap) {
            parts.add("discovery CHAP changed");
        }
        return String.join("; ", parts);
    }
}
