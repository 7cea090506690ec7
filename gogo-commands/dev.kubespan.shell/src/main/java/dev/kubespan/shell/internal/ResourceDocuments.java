package dev.kubespan.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.Metadata;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.SpecValues;

/**
 * A resource as the YAML/JSON document {@code talosctl get -o yaml} prints: {@code metadata}
 * (with Talos' qualified type name) and {@code spec}, secrets redacted unless asked for.
 */
final class ResourceDocuments {
    private ResourceDocuments() {
    }

    static Map<String, Object> document(ResourceType<?> type, Resource<?> r, boolean showSecrets) {
        Metadata md = r.metadata();
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("namespace", md.namespace());
        meta.put("type", type.qualifiedName());
        meta.put("id", md.id());
        meta.put("version", md.version());
        meta.put("created", md.created().toString());
        meta.put("updated", md.updated().toString());
        meta.put("owner", md.owner());
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("metadata", meta);
        doc.put("spec", SpecValues.toMap(r.spec(), showSecrets ? Set.of() : type.sensitiveFields()));
        return doc;
    }

    /** The document of a watch event, with {@code event} first. */
    static Map<String, Object> event(ResourceType<?> type, ResourceEvent.Kind kind, Resource<?> r,
            boolean showSecrets) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("event", kind.name().toLowerCase(java.util.Locale.ROOT));
        doc.putAll(document(type, r, showSecrets));
        return doc;
    }

    /** talosctl's markers: {@code +} created, {@code *} updated, {@code -} destroyed. */
    static String marker(ResourceEvent.Kind kind) {
        return switch (kind) {
            case CREATED -> "+";
            case UPDATED -> "*";
            case DESTROYED -> "-";
            case BOOTSTRAPPED -> "";
        };
    }
}
