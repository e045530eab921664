package io.lunport.config;

import io.lunport.config.yaml.YamlNode;
import io.lunport.config.yaml.YamlTree;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Reads a configuration file into a {@link LunportConfig}, checking every key on its own:
 * unknown keys, types, required keys, iSCSI names, block sizes, LUN ids, CHAP secrets and
 * where they come from. Checks that compare entries with each other or look at the file
 * system are {@link ConfigValidator}'s. Relative paths are taken from the file's directory.
 */
public final class ConfigReader {

    static final List<String> TOP_KEYS = List.of("listen", "stateDir", "allowNoAuth", "discoveryAuth", "targets", "metrics");
    static final List<String> TARGET_KEYS = List.of("iqn", "alias", "auth", "initiators", "luns");
    static final List<String> AUTH_KEYS = List.of("chap", "mutual");
    static final List<String> DISCOVERY_KEYS = List.of("chap");
    static final List<String> CHAP_KEYS = List.of("user", "secret", "secretFile", "secretEnv");
    static final List<String> LUN_KEYS = List.of("id", "image", "overlay", "readOnly", "blockSize");
    static final List<String> METRICS_KEYS = List.of("listen");

    /** The largest LUN REPORT LUNS can encode in flat space addressing (SAM-5). */
    public static final int MAX_LUN_ID = 16383;

    /** Where state lives when neither the file nor {@code --state-dir} says. */
    public static final Path DEFAULT_STATE_DIR = Path.of("lunport-state");

    /** What a file gave: the configuration as far as it could be read, and every problem. */
    public record Result(LunportConfig config, List<ConfigProblem> problems) {
        public Result {
            problems = List.copyOf(problems);
        }
    }

    private final String name;
    private final Path base;
    private final Function<String, String> environment;
    private final List<ConfigProblem> problems = new ArrayList<>();

    private ConfigReader(Path file, Function<String, String> environment) {
        this.name = file.toString();
        Path parent = file.toAbsolutePath().getParent();
        this.base = parent == null ? Path.of("") : parent;
        this.environment = environment;
    }

    /**
     * @param environment looks up {@code secretEnv} variables ({@code System::getenv} in production)
     */
    public static Result read(Path file, Function<String, String> environment) {
        return new ConfigReader(file, environment).read(file);
    }

    /** {@link #read} when {@code file} is given; without one, the empty configuration that flags build on. */
    public static Result readIfGiven(Path file, Function<String, String> environment) {
        return file == null ? new Result(emptyConfig(), List.of()) : read(file, environment);
    }

    private Result read(Path file) {
        Origin whole = new Origin(name, 1, "");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            problems.add(ConfigProblem.error(Origin.flag(name), "cannot read the configuration file: " + Reasons.of(e)));
            return new Result(emptyConfig(), problems);
        }
        YamlNode root;
        try {
            root = YamlTree.parse(text);
        } catch (YamlTree.SyntaxException e) {
            problems.add(ConfigProblem.error(new Origin(name, e.line(), ""), "not valid YAML: " + e.getMessage()));
            return new Result(emptyConfig(), problems);
        }
        if (!(root instanceof YamlNode.Mapping mapping)) {
            problems.add(ConfigProblem.error(whole, "expected a mapping of keys (" + String.join(", ", TOP_KEYS)
                    + "), found " + (root == null ? "an empty file" : root.kind())));
            return new Result(emptyConfig(), problems);
        }
        MappingReader top = new MappingReader(mapping, new Origin(name, mapping.line(), ""), problems, TOP_KEYS);
        List<PortalConfig> listen = portals(top);
        String stateDir = top.string("stateDir", false);
        Boolean allowNoAuth = top.bool("allowNoAuth");
        MappingReader discovery = top.mapping("discoveryAuth", false, DISCOVERY_KEYS);
        ChapConfig discoveryChap = discovery == null ? null : chap(discovery.mapping("chap", true, CHAP_KEYS));
        MetricsConfig metrics = metrics(top.mapping("metrics", false, METRICS_KEYS));
        Path stateDirectory = stateDir == null ? null : resolve(stateDir);
        List<TargetConfig> targets = targets(top.sequence("targets", false), top.at("targets"));
        LunportConfig config = new LunportConfig(listen, stateDirectory, Boolean.TRUE.equals(allowNoAuth),
                discoveryChap, targets, metrics);
        return new Result(config, problems);
    }

    private static LunportConfig emptyConfig() {
        return new LunportConfig(List.of(), null, false, null, List.of(), null);
    }

    private Path resolve(String path) {
        return base.resolve(path).normalize();
    }

    private List<PortalConfig> portals(MappingReader top) {
        YamlNode.Sequence list = top.sequence("listen", false);
        if (list != null && list.items().isEmpty()) {
            problems.add(ConfigProblem.error(top.at("listen"), "an empty list listens nowhere; leave the key out for " + ListenAddress.DEFAULT));
        }
        return items(list, top.at("listen"), this::portal);
    }

    /**
     * Reads every item of {@code list} (none when the list is absent) with {@code read},
     * which reports an unusable item and returns null for it; those are left out.
     */
    private static <T> List<T> items(YamlNode.Sequence list, Origin at, BiFunction<YamlNode, Origin, T> read) {
        List<T> values = new ArrayList<>();
        if (list == null) {
            return values;
        }
        for (int i = 0; i < list.items().size(); i++) {
            YamlNode item = list.items().get(i);
            T value = read.apply(item, at.item(i, item.line()));
            if (value != null) {
                values.add(value);
            }
        }
        return values;
    }

    /** An item reader for list items that are mappings of {@code keys}, such as a target or a LUN. */
    private <T> BiFunction<YamlNode, Origin, T> mappings(String what, List<String> keys, Function<MappingReader, T> read) {
        return (item, at) -> {
            if (item instanceof YamlNode.Mapping mapping) {
                return read.apply(new MappingReader(mapping, at, problems, keys));
            }
            problems.add(ConfigProblem.error(at, "expected " + what + " (a mapping with " + String.join(", ", keys)
                    + "), found " + item.kind()));
            return null;
        };
    }

    private PortalConfig portal(YamlNode node, Origin at) {
        return portal(node, at, ListenAddress.ISCSI_PORT);
    }

    private PortalConfig portal(YamlNode node, Origin at, int defaultPort) {
        if (!(node instanceof YamlNode.Scalar s) || s.type() != YamlNode.Scalar.Type.STRING) {
            problems.add(ConfigProblem.error(at, "expected HOST:PORT as a string, found " + node.kind()));
            return null;
        }
        try {
            InetSocketAddress address = ListenAddress.parse(s.text(), defaultPort);
            return new PortalConfig(s.text(), address, at);
        } catch (IllegalArgumentException e) {
            problems.add(ConfigProblem.error(at, s.text() + ": " + e.getMessage()));
            return null;
        }
    }

    private MetricsConfig metrics(MappingReader metrics) {
        if (metrics == null) {
            return null;
        }
        YamlNode listen = metrics.node("listen", true);
        PortalConfig portal = listen == null ? null : portal(listen, metrics.at("listen"), ListenAddress.METRICS_PORT);
        return portal == null ? null : new MetricsConfig(portal);
    }

    private List<TargetConfig> targets(YamlNode.Sequence list, Origin at) {
        return items(list, at, mappings("a target", TARGET_KEYS, this::target));
    }

    private TargetConfig target(MappingReader t) {
        String iqn = t.string("iqn", true);
        if (iqn != null) {
            IscsiName.problemWith(iqn).ifPresent(p -> problems.add(ConfigProblem.error(t.at("iqn"), p)));
        }
        String alias = t.string("alias", false);
        ChapConfig chap = null;
        ChapConfig mutual = null;
        MappingReader auth = t.mapping("auth", false, AUTH_KEYS);
        if (auth != null) {
            chap = chap(auth.mapping("chap", false, CHAP_KEYS));
            mutual = chap(auth.mapping("mutual", false, CHAP_KEYS));
            if (auth.has("mutual") && !auth.has("chap")) {
                problems.add(ConfigProblem.error(auth.at("mutual"),
                        "mutual CHAP needs auth.chap: the target proves itself only after the initiator has"));
            }
        }
        List<String> initiators = initiators(t);
        List<LunConfig> luns = luns(t);
        if (iqn == null) {
            return null;
        }
        return new TargetConfig(iqn, alias, chap, mutual, initiators, luns, t.at("iqn"));
    }

    private List<String> initiators(MappingReader t) {
        YamlNode.Sequence list = t.sequence("initiators", false);
        if (list != null && list.items().isEmpty()) {
            problems.add(ConfigProblem.error(t.at("initiators"), "an empty allow-list admits no initiator; leave the key out to admit any"));
        }
        return items(list, t.at("initiators"), (item, at) -> {
            if (!(item instanceof YamlNode.Scalar s) || s.type() != YamlNode.Scalar.Type.STRING) {
                problems.add(ConfigProblem.error(at, "expected an initiator name, found " + item.kind()));
                return null;
            }
            IscsiName.problemWith(s.text()).ifPresent(p -> problems.add(ConfigProblem.error(at, p)));
            return s.text();
        });
    }

    private List<LunConfig> luns(MappingReader t) {
        YamlNode.Sequence list = t.sequence("luns", true);
        if (list != null && list.items().isEmpty()) {
            problems.add(ConfigProblem.error(t.at("luns"), "a target needs at least one LUN"));
        }
        return items(list, t.at("luns"), mappings("a LUN", LUN_KEYS, this::lun));
    }

    private LunConfig lun(MappingReader l) {
        Long id = l.integer("id", true);
        if (id != null && (id < 0 || id > MAX_LUN_ID)) {
            problems.add(ConfigProblem.error(l.at("id"), "LUN id must be 0 to " + MAX_LUN_ID + ", not " + id));
        }
        String image = l.string("image", true);
        String overlay = l.string("overlay", false);
        Boolean readOnly = l.bool("readOnly");
        Long blockSize = l.integer("blockSize", false);
        if (blockSize != null && !LunConfig.isValidBlockSize(blockSize.intValue())) {
            problems.add(ConfigProblem.error(l.at("blockSize"), "must be 512 or 4096, not " + blockSize));
        }
        if (id == null || image == null) {
            return null;
        }
        return new LunConfig(id.intValue(), resolve(image), overlay == null ? null : resolve(overlay),
                Boolean.TRUE.equals(readOnly), false, blockSize == null ? 512 : blockSize.intValue(),
                l.at("id"), l.at("image"), overlay == null ? l.at("id") : l.at("overlay"));
    }

    /** CHAP credentials from {@code user} and exactly one of {@code secret}, {@code secretFile}, {@code secretEnv}. */
    private ChapConfig chap(MappingReader c) {
        if (c == null) {
            return null;
        }
        String user = c.string("user", true);
        List<String> given = CHAP_KEYS.subList(1, CHAP_KEYS.size()).stream().filter(c::has).toList();
        if (given.isEmpty()) {
            problems.add(ConfigProblem.error(c.origin(), "missing the secret: give one of 'secret', 'secretFile', 'secretEnv'"));
            return null;
        }
        if (given.size() > 1) {
            problems.add(ConfigProblem.error(c.origin(), "give only one of " + String.join(", ", given)));
            return null;
        }
        String key = given.get(0);
        Origin at = c.at(key);
        String secret = switch (key) {
            case "secret" -> c.string(key, true);
            case "secretFile" -> secretFromFile(c.string(key, true), at);
            default -> secretFromEnvironment(c.string(key, true), at);
        };
        if (secret == null) {
            return null;
        }
        ChapConfig.secretLengthProblem(secret, at).ifPresent(problems::add);
        return user == null ? null : new ChapConfig(user, secret, c.origin());
    }

    private String secretFromFile(String path, Origin at) {
        if (path == null) {
            return null;
        }
        Path file = resolve(path);
        try {
            String content = Files.readString(file, StandardCharsets.UTF_8);
            // The secret is the first line: editors and `echo` add a newline nobody means.
            return content.lines().findFirst().orElse("");
        } catch (IOException | RuntimeException e) {
            problems.add(ConfigProblem.error(at, "cannot read " + file + ": " + Reasons.of(e)));
            return null;
        }
    }

    private String secretFromEnvironment(String variable, Origin at) {
        if (variable == null) {
            return null;
        }
        String value = environment.apply(variable);
        if (value == null || value.isEmpty()) {
            problems.add(ConfigProblem.error(at, "environment variable " + variable + " is " + (value == null ? "not set" : "empty")));
            return null;
        }
        return value;
    }
}
