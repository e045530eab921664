package io.lunport.server.cli;

import io.lunport.config.ConfigException;
import io.lunport.config.ConfigProblem;
import io.lunport.config.ConfigReader;
import io.lunport.config.ConfigValidator;
import io.lunport.config.LunConfig;
import io.lunport.config.LunportConfig;
import io.lunport.config.Origin;
import io.lunport.config.TargetConfig;
import io.lunport.pluginfs.ImageSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * How {@code mount}'s flags and a configuration file make the files of the mount:
 * <ul>
 * <li>every LUN of the file's targets becomes {@code NAME.vhdx}, NAME being the target's
 *     alias, else the part of its IQN after the last ':' (as for serve's state files), with
 *     {@code -lunN} added for each LUN when the target has several;
 * <li>{@code --lun NAME=IMAGE} adds files after the file's;
 * <li>{@code --state-dir} replaces the file's {@code stateDir}.
 * </ul>
 * The file is validated exactly as for {@code serve}; two LUNs that would get the same file
 * name are refused. Every problem comes out at once.
 *
 * @param configFile the file of {@code --config}, or null
 * @param luns       {@code --lun} values
 * @param stateDir   {@code --state-dir}, or null: the file's, else {@code ./lunport-state}
 */
record MountConfiguration(Path configFile, List<String> luns, Path stateDir) {

    /** The files to show, where their state lives, and the warnings to print before mounting. */
    record Assembled(List<ImageSpec> images, Path stateDir, List<ConfigProblem> warnings) {
    }

    /** @throws ConfigException every error, with the warnings, in file line order then flags */
    Assembled assemble(Function<String, String> environment) throws ConfigException, IOException {
        ConfigReader.Result read = ConfigReader.readIfGiven(configFile, environment);
        List<ConfigProblem> problems = new ArrayList<>(read.problems());
        LunportConfig config = read.config();
        if (stateDir != null) {
            config = config.withStateDir(stateDir);
        }
        config = config.withDefaults();
        problems.addAll(ConfigValidator.check(config));

        List<ImageSpec> images = new ArrayList<>();
        Map<String, Origin> firstUse = new HashMap<>();
        for (TargetConfig target : config.targets()) {
            for (LunConfig lun : target.luns()) {
                add(() -> new ImageSpec(fileName(target, lun), lun.image()), lun.origin(), images, firstUse, problems);
            }
        }
        for (String value : luns) {
            add(() -> ImageSpec.parse(value), Origin.flag("--lun " + value), images, firstUse, problems);
        }
        if (images.isEmpty() && problems.stream().noneMatch(ConfigProblem::isError)) {
            problems.add(ConfigProblem.error(Origin.flag(configFile == null ? "lunport mount" : configFile.toString()),
                    "nothing to mount: give targets in the file or --lun NAME=IMAGE"));
        }
        if (problems.stream().anyMatch(ConfigProblem::isError)) {
            throw new ConfigException(problems);
        }
        return new Assembled(images, config.stateDir(), problems);
    }

    /** The file's name without {@code .vhdx}: the target's state name, and the LUN when it has several. */
    static String fileName(TargetConfig target, LunConfig lun) {
        return target.stateName() + (target.luns().size() > 1 ? "-lun" + lun.id() : "");
    }

    private static void add(Supplier<ImageSpec> spec, Origin origin, List<ImageSpec> images, Map<String, Origin> firstUse,
                            List<ConfigProblem> problems) {
        ImageSpec image;
        try {
            image = spec.get();
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.error(origin, e.getMessage()));
            return;
        }
        Origin first = firstUse.putIfAbsent(image.name(), origin);
        if (first != null) {
            problems.add(ConfigProblem.error(origin, image.name() + ".vhdx is already the file of " + first.reference()
                    + "; each needs its own name (a target's alias sets it)"));
            return;
        }
        images.add(image);
    }
}
