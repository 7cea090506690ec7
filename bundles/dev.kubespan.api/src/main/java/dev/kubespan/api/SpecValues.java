package dev.kubespan.api;

import java.lang.reflect.InvocationTargetException;
import java.net.InetAddress;
import java.lang.reflect.RecordComponent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.Key;

/**
 * Turns spec records into plain values (ordered maps, lists, strings, numbers, booleans) for
 * printing as a table, YAML or JSON: instants as RFC 3339, durations as Go does ({@code 4m35s}),
 * enums by their text; addresses, prefixes and endpoints in their canonical text, keys in standard
 * base64 (an absent one as the empty string, as the text fields were before they were typed). Secret fields are replaced by {@link #REDACTED} unless shown on request.
 */
public final class SpecValues {
    public static final String REDACTED = "<redacted>";
    /** Types shown as one string. */
    private static final Set<Class<?>> TEXT_TYPES = Set.of(InetAddress.class, IpPrefix.class, Endpoint.class, Key.class);

    private SpecValues() {
    }

    /** The spec as an ordered map; top-level fields named in {@code redact} are hidden when non-empty. */
    public static Map<String, Object> toMap(Object spec, Set<String> redact) {
        if (!spec.getClass().isRecord()) {
            throw new IllegalArgumentException("not a record: " + spec.getClass().getName());
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (RecordComponent c : spec.getClass().getRecordComponents()) {
            Object raw = read(c, spec);
            Object v = raw == null && TEXT_TYPES.contains(c.getType()) ? "" : plain(raw);
            if (v != null && redact.contains(c.getName()) && !"".equals(v)) {
                v = REDACTED;
            }
            out.put(c.getName(), v);
        }
        return out;
    }

    /**
     * A resource as {@code kubespan:get -o yaml|json} shows it, in {@code talosctl get}'s shape:
     * {@code metadata} (namespace, Talos' qualified type name, id, version, created, updated,
     * owner), then {@code spec}; the type's sensitive fields redacted unless {@code showSecrets}.
     */
    public static Map<String, Object> document(ResourceType<?> type, Resource<?> resource, boolean showSecrets) {
        Metadata md = resource.metadata();
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
        doc.put("spec", toMap(resource.spec(), showSecrets ? Set.of() : type.sensitiveFields()));
        return doc;
    }

    /** One value in plain form. */
    public static Object plain(Object v) {
        if (v == null || v instanceof String || v instanceof Number || v instanceof Boolean) {
            return v;
        }
        if (v instanceof Instant i) {
            return i.toString();
        }
        if (v instanceof Duration d) {
            return goDuration(d);
        }
        if (v instanceof Enum<?> e) {
            return e.toString();
        }
        if (v instanceof Key k) {
            return k.toBase64();
        }
        if (v instanceof InetAddress a) {
            return IpLiterals.format(a);
        }
        if (v instanceof IpPrefix || v instanceof Endpoint) {
            return v.toString();
        }
        if (v instanceof Collection<?> c) {
            List<Object> l = new ArrayList<>(c.size());
            for (Object o : c) {
                l.add(plain(o));
            }
            return l;
        }
        if (v.getClass().isRecord()) {
            return toMap(v, Set.of());
        }
        return v.toString();
    }

    /** A duration the way Go prints it: {@code 30s}, {@code 4m35s}, {@code 1h0m0s}, {@code 500ms}. */
    public static String goDuration(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.compareTo(Duration.ofSeconds(1)) < 0 && !d.isNegative()) {
            return d.toMillis() + "ms";
        }
        long s = d.getSeconds();
        long h = s / 3600;
        long m = (s % 3600) / 60;
        long sec = s % 60;
        String frac = d.getNano() == 0 ? "" : ("." + String.format("%09d", d.getNano()).replaceAll("0+$", ""));
        if (h > 0) {
            return h + "h" + m + "m" + sec + frac + "s";
        }
        if (m > 0) {
            return m + "m" + sec + frac + "s";
        }
        return sec + frac + "s";
    }

    private static Object read(RecordComponent c, Object spec) {
        try {
            return c.getAccessor().invoke(spec);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + c.getName(), e);
        }
    }
}
