package io.lunport.server.cli;

import io.lunport.config.ChapConfig;
import io.lunport.config.ConfigException;
import io.lunport.config.ConfigProblem;
import io.lunport.config.ConfigReader;
import io.lunport.config.ConfigValidator;
import io.lunport.config.IscsiName;
import io.lunport.config.ListenAddress;
import io.lunport.config.LunConfig;
import io.lunport.config.LunportConfig;
import io.lunport.config.MetricsConfig;
import io.lunport.config.Origin;
import io.lunport.config.PortalConfig;
import io.lunport.config.TargetConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * How {@code serve}'s flags and a configuration file make one {@link LunportConfig}, the
 * rule README states:
 * <ul>
 * <li>{@code --listen} replaces the file's {@code listen}; {@code --state-dir} its {@code stateDir};
 *     {@code --metrics-listen} its {@code metrics.listen};
 * <li>{@code --lun NAME=PATH} and {@code --demo} add targets {@code iqn.2026-11.io.lunport:NAME}
 *     after the file's; {@code --read-only}, {@code --direct}, {@code --block-size} and the
 *     {@code --chap-*}/{@code --mutual-*} flags apply to those targets only;
 * <li>{@code --allow-no-auth} allows what either the flag or {@code allowNoAuth: true} allows.
 * </ul>
 * Then the whole is validated: every problem of the file and the flags comes out at once.
 *
 * @param configFile the file of {@code --config}, or null
 * @param listen     {@code --listen} values; empty: the file's, else {@code 127.0.0.1:3260}
 * @param stateDir   {@code --state-dir}, or null: the file's, else {@code ./lunport-state}
 * @param chap       {@code --chap-user}/{@code --chap-secret} for the flag targets, or null
 * @param mutual     {@code --mutual-user}/{@code --mutual-secret}, or null
 * @param metricsListen {@code --metrics-listen}, or null: the file's {@code metrics.listen}, else no metrics endpoint
 */
record ServeConfiguration(Path configFile, List<String> listen, Path stateDir, List<String> luns, boolean demo,
                          boolean readOnly, boolean direct, int blockSize, ChapConfig chap, ChapConfig mutual,
                          boolean allowNoAuth, String metricsListen) {

    /** A configuration ready to start, and the warnings to print before starting. */
    record Assembled(LunportConfig config, List<ConfigProblem> warnings) {
    }

    /**
     * Reads the file (again, on a reload), adds the flags and validates the result.
     *
     * @throws ConfigException every error, with the warnings, in file line order then flags
     */
    Assembled assemble(Function<String, String> environment) throws ConfigException, IOException {
        ConfigReader.Result read = ConfigReader.readIfGiven(configFile, environment);
        List<ConfigProblem> problems = new ArrayList<>(read.problems());
        LunportConfig config = read.config();
        if (!listen.isEmpty()) {
            config = config.withListen(portals(problems));
        }
        if (stateDir != null) {
            config = config.withStateDir(stateDir);
        }
        if (metricsListen != null) {
            PortalConfig metrics = portal("--metrics-listen", metricsListen, ListenAddress.METRICS_PORT, problems);
            if (metrics != null) {
                config = config.withMetrics(new MetricsConfig(metrics));
            }
        }
        config = config.withDefaults();
        List<TargetConfig> flagTargets = flagTargets(config.stateDir(), problems);
        config = config.withMoreTargets(flagTargets, allowNoAuth);
        if (config.targets().isEmpty() && problems.stream().noneMatch(ConfigProblem::isError)) {
            problems.add(ConfigProblem.error(Origin.flag(configFile == null ? "lunport serve" : configFile.toString()),
                    "nothing to serve: give targets in the file, --lun NAME=PATH or --demo"));
        }
        problems.addAll(ConfigValidator.check(config));
        if (problems.stream().anyMatch(ConfigProblem::isError)) {
            throw new ConfigException(problems);
        }
        return new Assembled(config, problems);
    }

    private List<PortalConfig> portals(List<ConfigProblem> problems) {
        List<PortalConfig> portals = new ArrayList<>();
        for (String value : listen) {
            PortalConfig portal = portal("--listen", value, ListenAddress.ISCSI_PORT, problems);
            if (portal != null) {
                portals.add(portal);
            }
        }
        return portals;
    }

    /** {@code flag}'s HOST:PORT, or null with a problem that names the flag and value. */
    private static PortalConfig portal(String flag, String value, int defaultPort, List<ConfigProblem> problems) {
        Origin origin = Origin.flag(flag + " " + value);
        try {
            return new PortalConfig(value, ListenAddress.parse(value, defaultPort), origin);
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.error(origin, e.getMessage()));
            return null;
        }
    }

    private List<TargetConfig> flagTargets(Path state, List<ConfigProblem> problems) throws IOException {
        List<TargetConfig> targets = new ArrayList<>();
        if (demo) {
            // The demo disk is a scratch raw file: written in place, never through an overlay.
            targets.add(flagTarget(DemoDisk.NAME, DemoDisk.ensure(state), true, Origin.flag("--demo")));
        }
        for (String value : luns) {
            Origin origin = Origin.flag("--lun " + value);
            int eq = value.indexOf('=');
            if (eq <= 0 || eq == value.length() - 1) {
                problems.add(ConfigProblem.error(origin, "--lun takes NAME=PATH"));
                continue;
            }
            String name = value.substring(0, eq);
            try {
                IscsiName.forLunName(name);
            } catch (IllegalArgumentException e) {
                problems.add(ConfigProblem.error(origin, e.getMessage()));
                continue;
            }
            targets.add(flagTarget(name, Path.of(value.substring(eq + 1)), direct, origin));
        }
        return targets;
    }

    private TargetConfig flagTarget(String name, Path image, boolean writeInPlace, Origin origin) {
        LunConfig lun = new LunConfig(0, image, null, readOnly, writeInPlace, blockSize, origin, origin, origin);
        return new TargetConfig(IscsiName.forLunName(name), name, chap, mutual, List.of(), List.of(lun), origin);
    }
}
