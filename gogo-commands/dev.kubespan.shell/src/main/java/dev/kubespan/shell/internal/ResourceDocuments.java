package dev.kubespan.shell.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceEvent;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.SpecValues;

/**
 * A resource as the YAML/JSON document {@code talosctl get -o yaml} prints
 * ({@link SpecValues#document}), and the documents and markers of watch events.
 */
final class ResourceDocuments {
    private ResourceDocuments() {
    }

    /** The document of a watch event, with {@code event} first. */
    static Map<String, Object> event(ResourceType<?> type, ResourceEvent.Kind kind, Resource<?> r,
            boolean showSecrets) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("event", kind.name().toLowerCase(java.util.Locale.ROOT));
        doc.putAll(SpecValues.document(type, r, showSecrets));
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
