package io.lunport.config.yaml;

import java.util.List;
import java.util.Map;

/**
 * A YAML document as a tree in which every node knows the line it starts on, so that a
 * configuration message can name it. Built by {@link YamlTree}.
 */
public sealed interface YamlNode {

    /** 1-based line of the node's first character. */
    int line();

    /** What kind of value this is, for "expected X, found Y" messages. */
    String kind();

    /**
     * A mapping; keys in document order, each with the line of the key itself. A key given a
     * second time is kept apart in {@code repeated} (the first value counts) so that it can
     * be reported rather than silently overwrite the first.
     */
    record Mapping(int line, Map<String, Entry> entries, List<Entry> repeated) implements YamlNode {
        public Mapping {
            entries = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entries));
            repeated = List.copyOf(repeated);
        }

        @Override
        public String kind() {
            return "a mapping";
        }
    }

    /** One key of a mapping: the line the key is on and its value. */
    record Entry(String key, int keyLine, YamlNode value) {
    }

    record Sequence(int line, List<YamlNode> items) implements YamlNode {
        public Sequence {
            items = List.copyOf(items);
        }

        @Override
        public String kind() {
            return "a list";
        }
    }

    /**
     * A scalar with the type the YAML parser gave it: a quoted "12" is a string, a bare 12 a
     * number. {@code text} is null for YAML null ({@code ~}, {@code null} or nothing).
     */
    record Scalar(int line, Type type, String text) implements YamlNode {
        public enum Type { STRING, INTEGER, DECIMAL, BOOLEAN, NULL }

        @Override
        public String kind() {
            return switch (type) {
                case STRING -> "a string";
                case INTEGER -> "an integer";
                case DECIMAL -> "a decimal number";
                case BOOLEAN -> "a boolean";
                case NULL -> "nothing (null)";
            };
        }
    }
}
