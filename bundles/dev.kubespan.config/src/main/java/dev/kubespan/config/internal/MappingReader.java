package dev.kubespan.config.internal;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Typed access to the keys of one YAML mapping. Every key read (or explicitly ignored) is
 * remembered, so that {@link #reportUnknown()} can name every key nobody asked for. A key with a
 * null value counts as absent. Type errors never quote a string's value.
 */
final class MappingReader {
    private final YamlNode.Mapping mapping;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new HashSet<>();

    MappingReader(YamlNode.Mapping mapping, String path, Problems problems) {
        this.mapping = mapping;
        this.path = path;
        this.problems = problems;
    }

    String path() {
        return path;
    }

    int line() {
        return mapping.line();
    }

    String pathOf(String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** The key's value, or null when it is absent or null; marks the key as known. */
    YamlNode node(String key) {
        known.add(key);
        YamlNode.Entry e = mapping.entries().get(key);
        if (e == null || e.value() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL) {
            return null;
        }
        if (e.value() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.ALIAS) {
            problems.error(pathOf(key), e.line(), "YAML aliases (*name) are not supported here; write the value");
            return null;
        }
        return e.value();
    }

    boolean present(String key) {
        YamlNode.Entry e = mapping.entries().get(key);
        return e != null && !(e.value() instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL);
    }

    int lineOf(String key) {
        YamlNode.Entry e = mapping.entries().get(key);
        return e == null ? mapping.line() : e.line();
    }

    Field<Boolean> bool(String key) {
        YamlNode n = node(key);
        if (n == null) {
            return null;
        }
        if (n instanceof YamlNode.Scalar s && (s.kind() == YamlNode.Kind.TRUE || s.kind() == YamlNode.Kind.FALSE)) {
            return new Field<>(s.kind() == YamlNode.Kind.TRUE, pathOf(key), n.line());
        }
        typeError(key, n, "a boolean (true or false)");
        return null;
    }

    Field<Long> integer(String key) {
        YamlNode n = node(key);
        if (n == null) {
            return null;
        }
        if (n instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.INT) {
            if (!s.text().matches("[+-]?(0|[1-9][0-9]*)")) {
                problems.error(pathOf(key), n.line(), "expected a decimal integer, got " + s.text());
                return null;
            }
            try {
                return new Field<>(Long.parseLong(s.text()), pathOf(key), n.line());
            } catch (NumberFormatException e) {
                problems.error(pathOf(key), n.line(), "number " + s.text() + " is out of range");
                return null;
            }
        }
        typeError(key, n, "an integer");
        return null;
    }

    /** Any scalar, as written (Go's YAML decoder also accepts {@code 123} into a string field). */
    Field<String> text(String key) {
        YamlNode n = node(key);
        if (n == null) {
            return null;
        }
        if (n instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.OTHER) {
            return new Field<>(s.text(), pathOf(key), n.line());
        }
        typeError(key, n, "a string");
        return null;
    }

    /** A list of scalars; null when absent; items are named {@code key[i]}. */
    List<Field<String>> textList(String key) {
        YamlNode n = node(key);
        if (n == null) {
            return null;
        }
        if (!(n instanceof YamlNode.Sequence seq)) {
            typeError(key, n, "a list of strings");
            return null;
        }
        List<Field<String>> out = new ArrayList<>();
        for (int i = 0; i < seq.items().size(); i++) {
            YamlNode item = seq.items().get(i);
            String itemPath = pathOf(key) + "[" + i + "]";
            if (item instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.OTHER
                    && s.kind() != YamlNode.Kind.NULL && s.kind() != YamlNode.Kind.ALIAS) {
                out.add(new Field<>(s.text(), itemPath, item.line()));
            } else {
                problems.error(itemPath, item.line(), "expected a string, got " + item.describe());
            }
        }
        return out;
    }

    /** A nested mapping; null when absent (or wrongly typed, which is reported). */
    MappingReader mapping(String key) {
        YamlNode n = node(key);
        if (n == null) {
            return null;
        }
        if (n instanceof YamlNode.Mapping m) {
            return new MappingReader(m, pathOf(key), problems);
        }
        typeError(key, n, "a mapping");
        return null;
    }

    /** Accepts these keys without reading them (settings of Talos that KubeSpan does not use). */
    void ignore(Set<String> keys) {
        known.addAll(keys);
    }

    /** Reports every key that was neither read nor ignored. */
    void reportUnknown() {
        for (YamlNode.Entry e : mapping.entries().values()) {
            if (!known.contains(e.key())) {
                problems.error(pathOf(e.key()), e.line(), "unknown key");
            }
        }
    }

    private void typeError(String key, YamlNode n, String expected) {
        problems.error(pathOf(key), n.line(), "expected " + expected + ", got " + n.describe());
    }
}
