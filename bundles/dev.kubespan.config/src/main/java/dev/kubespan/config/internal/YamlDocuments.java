package dev.kubespan.config.internal;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;

/**
 * Reads a multi-document YAML text into {@link YamlNode} trees. We walk Jackson's YAML tokens
 * ourselves instead of using its tree model because the tree model loses the line numbers, turns
 * aliases into their names and rewrites number literals ({@code 010} becomes 8); here a scalar
 * keeps the exact text the operator wrote.
 */
final class YamlDocuments {

    /** One document: its position in the file (1-based) and its root node. */
    record Document(int index, YamlNode root) {
    }

    private static final YAMLFactory FACTORY = YAMLFactory.builder().build();

    /** Where the walk is, so that a syntax error can name the key it happened under. */
    private final List<String> path = new ArrayList<>();
    private int index;

    private YamlDocuments() {
    }

    /** The non-empty documents of {@code content}, or null after reporting why it is not YAML. */
    static List<Document> read(byte[] content, Problems problems) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(content)).toString();
        } catch (CharacterCodingException e) {
            problems.error("", 0, "the file is not valid UTF-8 text");
            return null;
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<Document> docs = new ArrayList<>();
        YamlDocuments walk = new YamlDocuments();
        try (JsonParser p = FACTORY.createParser(text)) {
            p.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                int index = ++walk.index;
                walk.path.clear();
                YamlNode root = walk.readValue(p, t);
                // An empty document ("---" followed by nothing or comments) reads as an empty scalar.
                if (root instanceof YamlNode.Scalar s && (s.kind() == YamlNode.Kind.NULL
                        || s.kind() == YamlNode.Kind.STRING && s.text().isEmpty())) {
                    continue;
                }
                docs.add(new Document(index, root));
            }
        } catch (JsonProcessingException e) {
            reportSyntaxError(e, walk.where(), problems);
            return null;
        } catch (IOException e) {
            problems.error("", 0, "cannot read YAML: " + e.getClass().getSimpleName());
            return null;
        }
        return docs;
    }

    private String where() {
        if (index == 0) {
            return "";
        }
        StringBuilder sb = new StringBuilder("document ").append(index);
        for (String step : path) {
            sb.append(step.startsWith("[") ? "" : ".").append(step);
        }
        return sb.toString();
    }

    private YamlNode readValue(JsonParser p, JsonToken t) throws IOException {
        int line = line(p.currentTokenLocation());
        switch (t) {
            case START_OBJECT: {
                Map<String, YamlNode.Entry> entries = new LinkedHashMap<>();
                JsonToken k;
                while ((k = p.nextToken()) == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    int keyLine = line(p.currentTokenLocation());
                    path.add(key);
                    YamlNode value = readValue(p, p.nextToken());
                    path.remove(path.size() - 1);
                    entries.put(key, new YamlNode.Entry(key, keyLine, value));
                }
                if (k != JsonToken.END_OBJECT) {
                    throw new IOException("unexpected " + k);
                }
                return new YamlNode.Mapping(line, entries);
            }
            case START_ARRAY: {
                List<YamlNode> items = new ArrayList<>();
                JsonToken i;
                while ((i = p.nextToken()) != JsonToken.END_ARRAY) {
                    if (i == null) {
                        throw new IOException("unexpected end of input");
                    }
                    path.add("[" + items.size() + "]");
                    items.add(readValue(p, i));
                    path.remove(path.size() - 1);
                }
                return new YamlNode.Sequence(line, items);
            }
            case VALUE_STRING:
                return new YamlNode.Scalar(line,
                        p instanceof YAMLParser y && y.isCurrentAlias() ? YamlNode.Kind.ALIAS : YamlNode.Kind.STRING,
                        p.getText());
            case VALUE_NUMBER_INT:
                return new YamlNode.Scalar(line, YamlNode.Kind.INT, p.getText());
            case VALUE_NUMBER_FLOAT:
                return new YamlNode.Scalar(line, YamlNode.Kind.FLOAT, p.getText());
            case VALUE_TRUE:
                return new YamlNode.Scalar(line, YamlNode.Kind.TRUE, p.getText());
            case VALUE_FALSE:
                return new YamlNode.Scalar(line, YamlNode.Kind.FALSE, p.getText());
            case VALUE_NULL:
                return new YamlNode.Scalar(line, YamlNode.Kind.NULL, "");
            default:
                return new YamlNode.Scalar(line, YamlNode.Kind.OTHER, "");
        }
    }

    private static int line(JsonLocation l) {
        return l == null ? 0 : Math.max(0, l.getLineNr());
    }

    /**
     * SnakeYAML's own message quotes the offending line of the file, which may hold the cluster
     * secret; only the problem description and the position are passed on.
     */
    private static void reportSyntaxError(JsonProcessingException e, String where, Problems problems) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException m) {
                String what = m.getProblem() == null ? "syntax error" : m.getProblem();
                if (m.getContext() != null) {
                    what = m.getContext() + ": " + what;
                }
                Mark mark = m.getProblemMark() != null ? m.getProblemMark() : m.getContextMark();
                int line = mark == null ? 0 : mark.getLine() + 1;
                String column = mark == null ? "" : ", column " + (mark.getColumn() + 1);
                problems.error(where, line, "invalid YAML" + column + ": " + firstLine(what));
                return;
            }
        }
        String msg = e.getOriginalMessage() == null ? "syntax error" : firstLine(e.getOriginalMessage());
        problems.error(where, line(e.getLocation()), "invalid YAML: " + msg);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }
}
