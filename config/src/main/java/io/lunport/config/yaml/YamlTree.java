package io.lunport.config.yaml;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one YAML document into {@link YamlNode}s by walking the Jackson YAML parser's
 * tokens, recording the line of every key and value as it goes (a databind tree would lose
 * them). A key given twice in one mapping is kept for a message, not silently overwritten.
 */
public final class YamlTree {

    /** Deeper than any configuration needs; stops a hostile file from exhausting the stack. */
    static final int MAX_DEPTH = 64;

    private static final YAMLFactory FACTORY = new YAMLFactory();

    private final JsonParser parser;

    /** A file that is not YAML: the parser's message and where it stopped. */
    public static final class SyntaxException extends Exception {
        private final int line;

        SyntaxException(String message, int line) {
            super(message);
            this.line = line;
        }

        public int line() {
            return line;
        }
    }

    private YamlTree(JsonParser parser) {
        this.parser = parser;
    }

    /** The document's root node, or null when the file holds no document. */
    public static YamlNode parse(String text) throws SyntaxException {
        try (JsonParser parser = FACTORY.createParser(text)) {
            JsonToken first = parser.nextToken();
            return first == null ? null : new YamlTree(parser).node(first, 0);
        } catch (JsonProcessingException e) {
            int line = e.getLocation() == null ? 1 : Math.max(1, e.getLocation().getLineNr());
            throw new SyntaxException(e.getOriginalMessage().lines().findFirst().orElse("malformed YAML"), line);
        } catch (IOException e) {
            // Parsing a String does no I/O; anything else is a parser failure on the text.
            throw new SyntaxException(String.valueOf(e.getMessage()), 1);
        }
    }

    private YamlNode node(JsonToken token, int depth) throws IOException, SyntaxException {
        int line = parser.currentTokenLocation().getLineNr();
        if (depth > MAX_DEPTH) {
            throw new SyntaxException("nested deeper than " + MAX_DEPTH + " levels", line);
        }
        return switch (token) {
            case START_OBJECT -> mapping(line, depth);
            case START_ARRAY -> sequence(line, depth);
            case VALUE_STRING -> new YamlNode.Scalar(line, YamlNode.Scalar.Type.STRING, parser.getText());
            case VALUE_NUMBER_INT -> new YamlNode.Scalar(line, YamlNode.Scalar.Type.INTEGER, parser.getText());
            case VALUE_NUMBER_FLOAT -> new YamlNode.Scalar(line, YamlNode.Scalar.Type.DECIMAL, parser.getText());
            case VALUE_TRUE, VALUE_FALSE -> new YamlNode.Scalar(line, YamlNode.Scalar.Type.BOOLEAN, parser.getText());
            case VALUE_NULL -> new YamlNode.Scalar(line, YamlNode.Scalar.Type.NULL, null);
            default -> throw new SyntaxException("unexpected " + token, line);
        };
    }

    private YamlNode.Mapping mapping(int line, int depth) throws IOException, SyntaxException {
        Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
        List<YamlNode.Entry> repeated = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
            String key = parser.currentName();
            int keyLine = parser.currentTokenLocation().getLineNr();
            YamlNode.Entry entry = new YamlNode.Entry(key, keyLine, node(parser.nextToken(), depth + 1));
            if (entries.putIfAbsent(key, entry) != null) {
                repeated.add(entry);
            }
        }
        if (token != JsonToken.END_OBJECT) {
            throw new SyntaxException("unexpected " + token + " in a mapping", line);
        }
        return new YamlNode.Mapping(line, entries, repeated);
    }

    private YamlNode.Sequence sequence(int line, int depth) throws IOException, SyntaxException {
        List<YamlNode> items = new ArrayList<>();
        JsonToken token;
        while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
            if (token == null) {
                throw new SyntaxException("list not closed", line);
            }
            items.add(node(token, depth + 1));
        }
        return new YamlNode.Sequence(line, items);
    }
}
