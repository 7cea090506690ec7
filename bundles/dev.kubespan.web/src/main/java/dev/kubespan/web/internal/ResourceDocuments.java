package dev.kubespan.web.internal;

import java.util.LinkedHashMap;
import java.util.Map;

import dev.kubespan.api.Metadata;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.SpecValues;

/**
 * A resource as {@code kubespan:get <type> -o json} prints it ({@code metadata} with Talos'
 * qualified type name, then {@code spec}), always with the type's sensitive fields redacted:
 * there is no way to ask this bundle for a secret.
 */
final class ResourceDocuments {
    private ResourceDocuments() {
    }

    static Map<String, Object> document(ResourceType<?> type, Resource<?> r) {
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
        doc.put("spec", SpecValues.toMap(r.spec(), type.sensitiveFields()));
        return doc;
    }
}
