package io.lunport.config;

import io.lunport.config.yaml.YamlNode;
import java.util.List;
import java.util.Set;

/**
 * Reads the keys of one YAML mapping with their types, reporting into a shared problem list
 * instead of stopping at the first: a key nobody knows, a key given twice, a value of the
 * wrong type, a required key that is missing. A getter returns null when the value is
 * absent or unusable; the problem has been recorded by then.
 */
final class MappingReader {

    private final YamlNode.Mapping mapping;
    private final Origin origin;
    private final List<ConfigProblem> problems;

    /** @param known every key this mapping may hold, in the order the message lists them */
    MappingReader(YamlNode.Mapping mapping, Origin origin, List<ConfigProblem> problems, List<String> known) {
        this.mapping = mapping;
        this.origin = origin;
        this.problems = problems;
        Set<String> knownSet = Set.copyOf(known);
        for (YamlNode.Entry entry : mapping.entries().values()) {
            if (!knownSet.contains(entry.key())) {
                problems.add(ConfigProblem.error(at(entry), "unknown key (known here: " + String.join(", ", known) + ")"));
            }
        }
        for (YamlNode.Entry entry : mapping.repeated()) {
            int first = mapping.entries().get(entry.key()).keyLine();
            problems.add(ConfigProblem.error(at(entry), "key given twice (first at line " + first + ")"));
        }
    }

    Origin origin() {
        return origin;
    }

    boolean has(String key) {
        return mapping.entries().containsKey(key);
    }

    /** The key's own place; the mapping's when the key is absent. */
    Origin at(String key) {
        YamlNode.Entry entry = mapping.entries().get(key);
        return entry == null ? origin : at(entry);
    }

    private Origin at(YamlNode.Entry entry) {
        return origin.child(entry.key(), entry.keyLine());
    }

    YamlNode node(String key, boolean required) {
        YamlNode.Entry entry = mapping.entries().get(key);
        if (entry == null) {
            if (required) {
                problems.add(ConfigProblem.error(origin, "missing required key '" + key + "'"));
            }
            return null;
        }
        return entry.value();
    }

    /** A string; numbers are taken as written ({@code user: 1234}). */
    String string(String key, boolean required) {
        YamlNode node = node(key, required);
        if (node instanceof YamlNode.Scalar s && (s.type() == YamlNode.Scalar.Type.STRING
                || s.type() == YamlNode.Scalar.Type.INTEGER || s.type() == YamlNode.Scalar.Type.DECIMAL)) {
            return s.text();
        }
        return wrongType(key, node, "a string");
    }

    Long integer(String key, boolean required) {
        YamlNode node = node(key, required);
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.INTEGER) {
            try {
                return Long.decode(s.text());
            } catch (NumberFormatException e) {
                problems.add(ConfigProblem.error(at(key), "integer " + s.text() + " is out of range"));
                return null;
            }
        }
        return wrongType(key, node, "an integer");
    }

    Boolean bool(String key) {
        YamlNode node = node(key, false);
        if (node instanceof YamlNode.Scalar s && s.type() == YamlNode.Scalar.Type.BOOLEAN) {
            return Boolean.valueOf(s.text());
        }
        return wrongType(key, node, "true or false");
    }

    MappingReader mapping(String key, boolean required, List<String> known) {
        YamlNode node = node(key, required);
        if (node instanceof YamlNode.Mapping m) {
            return new MappingReader(m, at(key), problems, known);
        }
        return wrongType(key, node, "a mapping");
    }

    YamlNode.Sequence sequence(String key, boolean required) {
        YamlNode node = node(key, required);
        if (node instanceof YamlNode.Sequence s) {
            return s;
        }
        return wrongType(key, node, "a list");
    }

    private <T> T wrongType(String key, YamlNode node, String expected) {
        if (node != null) {
            problems.add(ConfigProblem.error(at(key), "expected " + expected + ", found " + node.kind()));
        }
        return null;
    }
}
