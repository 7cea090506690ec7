package dev.kubespan.identity.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one YAML shape the state files use: a single flat mapping of string scalars, one
 * {@code key: value} per line. Anything else is rejected, so a damaged file is noticed instead
 * of half-read. Error messages carry line numbers and key names, never values, because a value
 * may be a private key.
 */
final class FlatYaml {
    private static final Pattern LINE = Pattern.compile("([A-Za-z][A-Za-z0-9_]*):(?:[ \\t]+(.*))?");

    private FlatYaml() {
    }

    static Map<String, String> parse(String text) {
        Map<String, String> out = new LinkedHashMap<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = stripEnd(lines[i]);
            int no = i + 1;
            if (line.isEmpty() || line.startsWith("#") || (i == 0 && line.equals("---"))) {
                continue;
            }
            if (Character.isWhitespace(line.charAt(0))) {
                throw new IllegalArgumentException("line " + no + ": unexpected indentation (only flat key: value lines)");
            }
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                throw new IllegalArgumentException("line " + no + ": not a 'key: value' line");
            }
            String key = m.group(1);
            if (out.containsKey(key)) {
                throw new IllegalArgumentException("line " + no + ": duplicate key '" + key + "'");
            }
            out.put(key, scalar(m.group(2) == null ? "" : m.group(2), no, key));
        }
        return out;
    }

    private static String scalar(String raw, int no, String key) {
        String v = raw.strip();
        if (v.startsWith("\"")) {
            if (v.length() < 2 || !v.endsWith("\"")) {
                throw new IllegalArgumentException("line " + no + ": unterminated quoted value of '" + key + "'");
            }
            return unescapeDouble(v.substring(1, v.length() - 1), no, key);
        }
        if (v.startsWith("'")) {
            if (v.length() < 2 || !v.endsWith("'")) {
                throw new IllegalArgumentException("line " + no + ": unterminated quoted value of '" + key + "'");
            }
            return v.substring(1, v.length() - 1).replace("''", "'");
        }
        int comment = v.indexOf(" #");
        if (comment >= 0) {
            v = v.substring(0, comment).strip();
        }
        if (v.startsWith("[") || v.startsWith("{") || v.startsWith("|") || v.startsWith(">") || v.startsWith("&")
                || v.startsWith("*") || v.startsWith("!")) {
            throw new IllegalArgumentException("line " + no + ": value of '" + key + "' is not a plain string");
        }
        return v;
    }

    private static String unescapeDouble(String s, int no, String key) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                throw new IllegalArgumentException("line " + no + ": stray quote in value of '" + key + "'");
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (++i >= s.length()) {
                throw new IllegalArgumentException("line " + no + ": dangling escape in value of '" + key + "'");
            }
            char e = s.charAt(i);
            switch (e) {
                case '\\', '"', '/' -> sb.append(e);
                case 'n' -> sb.append('\n');
                case 't' -> sb.append('\t');
                default -> throw new IllegalArgumentException(
                        "line " + no + ": unsupported escape in value of '" + key + "'");
            }
        }
        return sb.toString();
    }

    private static String stripEnd(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == '\r' || line.charAt(end - 1) == ' '
                || line.charAt(end - 1) == '\t')) {
            end--;
        }
        return line.substring(0, end);
    }
}
