package io.lunport.config;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@code lunport serve} is to do, from a configuration file, command-line flags
 * or both: the portals, where state lives, authentication and the targets.
 *
 * @param stateDir      where overlays and reservations live unless a LUN names its overlay
 * @param allowNoAuth   allow a non-loopback portal to serve targets without CHAP
 * @param discoveryChap CHAP a discovery session must pass, or null
 * @param metrics       where metrics are served, or null for nowhere
 */
public record LunportConfig(List<PortalConfig> listen, Path stateDir, boolean allowNoAuth, ChapConfig discoveryChap,
                            List<TargetConfig> targets, MetricsConfig metrics) {

    public LunportConfig {
        listen = List.copyOf(listen);
        targets = List.copyOf(targets);
    }

    /** The same configuration with the state directory replaced. */
    public LunportConfig withStateDir(Path dir) {
        return new LunportConfig(listen, dir, allowNoAuth, discoveryChap, targets, metrics);
    }

    /** The same configuration with the portals replaced. */
    public LunportConfig withListen(List<PortalConfig> portals) {
        return new LunportConfig(portals, stateDir, allowNoAuth, discoveryChap, targets, metrics);
    }

    public LunportConfig withMetrics(MetricsConfig where) {
        return new LunportConfig(listen, stateDir, allowNoAuth, discoveryChap, targets, where);
    }

    /** The same configuration with more targets after its own. */
    public LunportConfig withMoreTargets(List<TargetConfig> more, boolean allowNoAuth) {
        List<TargetConfig> all = new java.util.ArrayList<>(targets);
        all.addAll(more);
        return new LunportConfig(listen, stateDir, this.allowNoAuth || allowNoAuth, discoveryChap, all, metrics);
    }

    /**
     * What an unset {@code listen} and {@code stateDir} mean: {@code 127.0.0.1:3260} and
     * {@code ./lunport-state}.
     */
    public LunportConfig withDefaults() {
        LunportConfig c = this;
        if (c.listen.isEmpty()) {
            Origin origin = Origin.flag("default listen address");
            c = c.withListen(List.of(new PortalConfig(ListenAddress.DEFAULT, ListenAddress.parse(ListenAddress.DEFAULT), origin)));
        }
        return c.stateDir == null ? c.withStateDir(ConfigReader.DEFAULT_STATE_DIR) : c;
    }

    /** Where a LUN's writes go: its {@code overlay}, else {@code stateDir/<name>.overlay}. */
    public Path overlayOf(TargetConfig target, LunConfig lun) {
        return lun.overlay() != null ? lun.overlay() : stateFile(target, lun, ".overlay");
    }

    /** Where a LUN's persistent reservations (APTPL) are kept. */
    public Path reservationsOf(TargetConfig target, LunConfig lun) {
        return stateFile(target, lun, ".pr");
    }

    /** {@code <name>.ext} for LUN 0 (the {@code --lun NAME} contract), {@code <name>-<id>.ext} for the others. */
    private Path stateFile(TargetConfig target, LunConfig lun, String extension) {
        String stem = target.stateName() + (lun.id() == 0 ? "" : "-" + lun.id());
        return stateDir.resolve(stem + extension);
    }
}
