package dev.kubespan.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;

/** Lists resources from the store and renders them in one of the output formats. */
final class ResourceOutput {
    private ResourceOutput() {
    }

    /**
     * Resources of {@code type} in the given namespaces (empty list = all), optionally one id,
     * ordered by namespace then id.
     */
    static List<Resource<?>> find(ResourceStore store, ResourceType<?> type, List<String> namespaces, String id) {
        List<Resource<?>> out = new ArrayList<>();
        if (namespaces.isEmpty()) {
            out.addAll(store.list(type, null));
        } else {
            for (String ns : namespaces) {
                out.addAll(store.list(type, ns));
            }
        }
        if (id != null) {
            out.removeIf(r -> !r.id().equals(id));
        }
        out.sort(Comparator.comparing((Resource<?> r) -> r.namespace()).thenComparing(Resource::id));
        return out;
    }

    /** The text {@code talosctl get} would print (no trailing newline); empty for no resources in yaml/json. */
    static String render(ResourceType<?> type, List<Resource<?>> resources, OutputFormat format,
            boolean showSecrets) {
        switch (format) {
            case TABLE: {
                List<List<String>> rows = new ArrayList<>();
                for (Resource<?> r : resources) {
                    rows.add(TableRenderer.row(type, r, null));
                }
                return new TableRenderer(type, false).render(rows);
            }
            case YAML: {
                StringBuilder sb = new StringBuilder();
                for (Resource<?> r : resources) {
                    if (sb.length() > 0) {
                        sb.append("---\n");
                    }
                    sb.append(YamlRenderer.document(ResourceDocuments.document(type, r, showSecrets)));
                }
                return stripFinalNewline(sb);
            }
            case JSON: {
                StringBuilder sb = new StringBuilder();
                for (Resource<?> r : resources) {
                    sb.append(JsonRenderer.pretty(ResourceDocuments.document(type, r, showSecrets))).append('\n');
                }
                return stripFinalNewline(sb);
            }
            default:
                throw new IllegalStateException(format.toString());
        }
    }

    private static String stripFinalNewline(StringBuilder sb) {
        if (sb.length() > 0 && sb.charAt(sb.length() - 1) == '\n') {
            sb.setLength(sb.length() - 1);
        }
        return sb.toString();
    }
}
