package dev.kubespan.shell.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.kubespan.api.Column;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.SpecValues;

/**
 * The {@code talosctl get} table: {@code NAMESPACE TYPE ID VERSION} and the type's own columns,
 * cells separated by at least three spaces. In watch mode a first column {@code *} holds the
 * event ({@code +} created, {@code *} updated, {@code -} destroyed). Widths grow as rows
 * arrive, so a streamed table stays as aligned as it can.
 */
final class TableRenderer {
    static final String GAP = "   ";

    private final List<String> header;
    private int[] widths;

    TableRenderer(ResourceType<?> type, boolean withEvents) {
        List<String> h = new ArrayList<>();
        if (withEvents) {
            h.add("*");
        }
        h.addAll(List.of("NAMESPACE", "TYPE", "ID", "VERSION"));
        for (Column<?> c : type.columns()) {
            h.add(c.header());
        }
        this.header = List.copyOf(h);
        this.widths = new int[header.size()];
        fit(header);
    }

    /** Cells of one resource; {@code event} is the marker column, or null without one. */
    static <S> List<String> row(ResourceType<S> type, Resource<?> r, String event) {
        List<String> cells = new ArrayList<>();
        if (event != null) {
            cells.add(event);
        }
        cells.add(r.namespace());
        cells.add(type.name());
        cells.add(r.id());
        cells.add(Long.toString(r.version()));
        S spec = type.cast(r.spec());
        for (Column<S> c : type.columns()) {
            Object v;
            try {
                v = c.value().apply(spec);
            } catch (RuntimeException e) {
                v = "<" + e.getClass().getSimpleName() + ">";
            }
            cells.add(cell(v));
        }
        return cells;
    }

    /** A cell: strings as they are, lists and records as compact JSON ({@code ["a","b"]}). */
    static String cell(Object raw) {
        Object v = plain(raw);
        if (v == null) {
            return "";
        }
        if (v instanceof List<?> || v instanceof Map<?, ?>) {
            return JsonRenderer.compact(v);
        }
        // a cell is one line: a value from the network must not break the table
        return v.toString().replace("\n", "\\n").replace("\r", "\\r").replace("\t", " ");
    }

    private static Object plain(Object raw) {
        if (raw instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
            return out;
        }
        return SpecValues.plain(raw);
    }

    /** A whole table, header first; no trailing newline. */
    String render(List<List<String>> rows) {
        rows.forEach(this::fit);
        StringBuilder sb = new StringBuilder(line(header));
        for (List<String> r : rows) {
            sb.append('\n').append(line(r));
        }
        return sb.toString();
    }

    String headerLine() {
        return line(header);
    }

    /** One row for a streamed table, widening the columns first if it needs more room. */
    String streamLine(List<String> row) {
        fit(row);
        return line(row);
    }

    private void fit(List<String> row) {
        if (row.size() > widths.length) {
            int[] w = new int[row.size()];
            System.arraycopy(widths, 0, w, 0, widths.length);
            widths = w;
        }
        for (int i = 0; i < row.size(); i++) {
            widths[i] = Math.max(widths[i], row.get(i).codePointCount(0, row.get(i).length()));
        }
    }

    private String line(List<String> row) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < row.size(); i++) {
            String c = row.get(i);
            sb.append(c);
            if (i < row.size() - 1) {
                sb.append(" ".repeat(widths[i] - c.codePointCount(0, c.length()))).append(GAP);
            }
        }
        return sb.toString();
    }
}
