package dev.kubespan.config.internal;

import java.util.List;
import java.util.Map;

/** A YAML node as read from the file, with the line it starts on and, for scalars, the text as written. */
sealed interface YamlNode permits YamlNode.Mapping, YamlNode.Sequence, YamlNode.Scalar {

    int line();

    /** What the node is, for "expected X, got Y" messages; a string's value is never included. */
    String describe();

    /** A key of a mapping with the line it is on. */
    record Entry(String key, int line, YamlNode value) {
    }

    record Mapping(int line, Map<String, Entry> entries) implements YamlNode {
        @Override
        public String describe() {
            return "a mapping";
        }
    }

    record Sequence(int line, List<YamlNode> items) implements YamlNode {
        @Override
        public String describe() {
            return "a list";
        }
    }

    enum Kind {
        STRING, INT, FLOAT, TRUE, FALSE, NULL, ALIAS, OTHER
    }

    record Scalar(int line, Kind kind, String text) implements YamlNode {
        @Override
        public String describe() {
            return switch (kind) {
                case STRING -> "a string";
                case INT, FLOAT -> "the number " + text;
                case TRUE, FALSE -> "the boolean " + text;
                case NULL -> "null";
                case ALIAS -> "an alias";
                case OTHER -> "a tagged value";
            };
        }

        /** Scalars carry user text that may be a secret. */
        @Override
        public String toString() {
            return "Scalar[line=" + line + ", kind=" + kind + "]";
        }
    }
}
