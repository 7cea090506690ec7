package dev.kubespan.shell.internal;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * YAML text of plain values, four-space indented like {@code talosctl -o yaml}. A string is
 * written plain only when a YAML 1.1 or 1.2 reader would read it back as that same string;
 * otherwise it is double-quoted with escapes, so values from the network (hostnames, labels)
 * can not inject structure.
 */
final class YamlRenderer {
    private static final String INDENT = "    ";
    private static final Set<String> RESERVED = Set.of("null", "~", "true", "false", "yes", "no", "on", "off", "y",
            "n");
    private static final Pattern NUMBER = Pattern.compile(
            "[-+]?(\\.[0-9]+|[0-9][0-9_]*(\\.[0-9_]*)?)([eE][-+]?[0-9]+)?"
                    + "|[-+]?0[xX][0-9a-fA-F_]+|0[oO]?[0-7_]+|0[bB][01_]+"
                    + "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)"
                    + "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?");
    private static final String INDICATORS = "-?:,[]{}#&*!|>'\"%@`";

    private YamlRenderer() {
    }

    /** A mapping as a block document (no leading {@code ---}), ending in a newline. */
    static String document(Map<String, ?> map) {
        StringBuilder sb = new StringBuilder();
        if (map.isEmpty()) {
            return "{}\n";
        }
        mapping(sb, map, 0, false);
        return sb.toString();
    }

    private static void mapping(StringBuilder sb, Map<?, ?> map, int indent, boolean firstLineStarted) {
        boolean first = true;
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(first && firstLineStarted)) {
                sb.append(INDENT.repeat(indent));
            }
            first = false;
            sb.append(scalar(String.valueOf(e.getKey()))).append(':');
            value(sb, e.getValue(), indent);
        }
    }

    /** Writes what follows {@code key:} or {@code -}, including the line end. */
    private static void value(StringBuilder sb, Object v, int indent) {
        if (v instanceof Map<?, ?> m && !m.isEmpty()) {
            sb.append('\n');
            mapping(sb, m, indent + 1, false);
        } else if (v instanceof List<?> l && !l.isEmpty()) {
            sb.append('\n');
            sequence(sb, l, indent + 1);
        } else {
            sb.append(' ').append(inline(v)).append('\n');
        }
    }

    private static void sequence(StringBuilder sb, List<?> list, int indent) {
        for (Object item : list) {
            sb.append(INDENT.repeat(indent)).append('-');
            if (item instanceof Map<?, ?> m && !m.isEmpty()) {
                // "- first: x" with the following keys aligned under "first"
                sb.append(' ');
                StringBuilder inner = new StringBuilder();
                mapping(inner, m, 0, true);
                String pad = INDENT.repeat(indent) + "  ";
                String[] lines = inner.toString().split("\n", -1);
                for (int i = 0; i < lines.length - 1; i++) {
                    if (i > 0) {
                        sb.append(pad);
                    }
                    sb.append(lines[i]).append('\n');
                }
            } else if (item instanceof List<?> l && !l.isEmpty()) {
                sb.append('\n');
                sequence(sb, l, indent + 1);
            } else {
                sb.append(' ').append(inline(item)).append('\n');
            }
        }
    }

    private static String inline(Object v) {
        if (v == null) {
            return "null";
        }
        if (v instanceof Map<?, ?>) {
            return "{}";
        }
        if (v instanceof List<?>) {
            return "[]";
        }
        if (v instanceof Boolean b) {
            return b.toString();
        }
        if (v instanceof Double d && (d.isNaN() || d.isInfinite())) {
            return d.isNaN() ? ".nan" : d > 0 ? ".inf" : "-.inf";
        }
        if (v instanceof Number n) {
            return n.toString();
        }
        return scalar(v.toString());
    }

    /** A string scalar: plain when that reads back as the same string, else double-quoted. */
    static String scalar(String s) {
        return needsQuotes(s) ? quoted(s) : s;
    }

    private static boolean needsQuotes(String s) {
        if (s.isEmpty() || RESERVED.contains(s.toLowerCase(Locale.ROOT)) || NUMBER.matcher(s).matches()) {
            return true;
        }
        char first = s.charAt(0);
        char last = s.charAt(s.length() - 1);
        if (INDICATORS.indexOf(first) >= 0 || Character.isWhitespace(first) || Character.isWhitespace(last)
                || last == ':') {
            return true;
        }
        if (s.contains(": ") || s.contains(" #") || s.contains(":\t") || s.contains("\t#")) {
            return true;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) || c == '\u2028' || c == '\u2029'
                    || c == '\ufeff') {
                return true;
            }
        }
        return false;
    }

    private static String quoted(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\0' -> sb.append("\\0");
                default -> {
                    if (c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f)) {
                        sb.append(String.format("\\x%02x", (int) c));
                    } else if (c == '\u2028' || c == '\u2029' || c == '\ufeff') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }
}
