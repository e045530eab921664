package io.lunport.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks that look at a whole configuration (file and flags merged) or at the file
 * system: duplicate target names and LUN ids, two LUNs writing to one overlay, images that
 * are not there, targets without CHAP on a portal others can reach.
 */
public final class ConfigValidator {

    private ConfigValidator() {
    }

    public static List<ConfigProblem> check(LunportConfig config) {
        List<ConfigProblem> problems = new ArrayList<>();
        Map<String, TargetConfig> targetsByName = new HashMap<>();
        Map<Path, LunConfig> overlays = new HashMap<>();
        List<PortalConfig> exposed = config.allowNoAuth() ? List.of()
                : config.listen().stream().filter(p -> !p.isLoopback()).toList();
        for (TargetConfig target : config.targets()) {
            TargetConfig first = targetsByName.putIfAbsent(target.iqn(), target);
            if (first != null) {
                problems.add(ConfigProblem.error(target.origin(),
                        "duplicate target " + target.iqn() + " (first at " + first.origin().reference() + ")"));
            }
            if (target.chap() == null && !exposed.isEmpty()) {
                problems.add(ConfigProblem.error(target.origin(), noChapOnExposedPortal(target, exposed.get(0))));
            }
            Map<Integer, LunConfig> lunsById = new HashMap<>();
            for (LunConfig lun : target.luns()) {
                imageProblem(lun.image()).ifPresent(p -> problems.add(ConfigProblem.error(lun.imageOrigin(), p)));
                LunConfig sameId = lunsById.putIfAbsent(lun.id(), lun);
                if (sameId != null) {
                    problems.add(ConfigProblem.error(lun.origin(),
                            "duplicate LUN id " + lun.id() + " (first at " + sameId.origin().reference() + ")"));
                    continue; // its default overlay would be the first one's too: one message is enough
                }
                if (!lun.readOnly() && !lun.direct() && config.stateDir() != null) {
                    Path overlay = config.overlayOf(target, lun).toAbsolutePath().normalize();
                    LunConfig sharing = overlays.putIfAbsent(overlay, lun);
                    if (sharing != null) {
                        problems.add(ConfigProblem.error(lun.overlayOrigin(), "overlay " + overlay
                                + " is also the overlay of " + describe(sharing.overlayOrigin()) + "; each LUN needs its own"));
                    }
                }
            }
        }
        return problems;
    }

    private static String noChapOnExposedPortal(TargetConfig target, PortalConfig portal) {
        String hint = target.origin().isFile() ? "add auth.chap or set allowNoAuth: true"
                : "give --chap-user/--chap-secret or --allow-no-auth";
        return target.iqn() + " has no CHAP, but " + portal.text() + " is not a loopback address: " + hint;
    }

    private static java.util.Optional<String> imageProblem(Path image) {
        if (!Files.exists(image)) {
            return java.util.Optional.of("no such image file " + image);
        }
        if (!Files.isRegularFile(image)) {
            return java.util.Optional.of(image + " is not a regular file");
        }
        if (!Files.isReadable(image)) {
            return java.util.Optional.of("cannot read " + image + ": permission denied");
        }
        return java.util.Optional.empty();
    }

    /** Another entry as a message names it: its key path and line, or its flag. */
    private static String describe(Origin origin) {
        return origin.isFile() ? origin.keyPath() + " (line " + origin.line() + ")" : origin.source();
    }
}
