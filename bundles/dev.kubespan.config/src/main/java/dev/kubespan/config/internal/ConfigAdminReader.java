package dev.kubespan.config.internal;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the flat ConfigAdmin properties of PID {@code dev.kubespan.config} (source
 * {@code configadmin}) into {@link RawSettings}. Values may be typed (Boolean, Integer, String[])
 * or, as FileInstall delivers {@code .cfg} files, strings; lists may also be one comma-separated
 * string. The same validation as for the file follows.
 */
final class ConfigAdminReader {

    static final String KUBESPAN_ENABLED = "kubespan.enabled";
    static final String KUBESPAN_ALLOW_DOWN_PEER_BYPASS = "kubespan.allowDownPeerBypass";
    static final String KUBESPAN_ADVERTISE_KUBERNETES_NETWORKS = "kubespan.advertiseKubernetesNetworks";
    static final String KUBESPAN_HARVEST_EXTRA_ENDPOINTS = "kubespan.harvestExtraEndpoints";
    static final String KUBESPAN_MTU = "kubespan.mtu";
    static final String KUBESPAN_FILTERS_ENDPOINTS = "kubespan.filters.endpoints";
    static final String KUBESPAN_FILTERS_EXCLUDE = "kubespan.filters.excludeAdvertisedNetworks";
    static final String KUBESPAN_FILTERS_PEER_ENDPOINTS = "kubespan.filters.peerEndpoints";
    static final String KUBESPAN_EXTRA_ENDPOINTS = "kubespan.extraAnnouncedEndpoints";
    static final String KUBESPAN_LISTEN_PORT = "kubespan.listenPort";
    static final String KUBESPAN_RECONCILE = "kubespan.peerReconcileInterval";
    static final String KUBESPAN_DOWN = "kubespan.peerDownInterval";
    static final String KUBESPAN_TIMEOUT = "kubespan.endpointConnectionTimeout";
    static final String CLUSTER_ID = "cluster.id";
    static final String CLUSTER_SECRET = "cluster.secret";
    static final String DISCOVERY_ENABLED = "discovery.enabled";
    static final String DISCOVERY_ENDPOINTS = "discovery.endpoints";
    static final String DISCOVERY_KUBERNETES = "discovery.kubernetes.enabled";
    static final String NAT_STUN_SERVERS = "nat.stunServers";
    static final String NAT_RELAY_SERVERS = "nat.relayServers";
    static final String NAT_RELAY_USERNAME = "nat.relayUsername";
    static final String NAT_RELAY_PASSWORD = "nat.relayPassword";
    static final String NAT_RELAY_SHARED_SECRET = "nat.relaySharedSecret";

    static final Set<String> KEYS = Set.of(KUBESPAN_ENABLED, KUBESPAN_ALLOW_DOWN_PEER_BYPASS,
            KUBESPAN_ADVERTISE_KUBERNETES_NETWORKS, KUBESPAN_HARVEST_EXTRA_ENDPOINTS, KUBESPAN_MTU,
            KUBESPAN_FILTERS_ENDPOINTS, KUBESPAN_FILTERS_EXCLUDE, KUBESPAN_FILTERS_PEER_ENDPOINTS,
            KUBESPAN_EXTRA_ENDPOINTS, KUBESPAN_LISTEN_PORT, KUBESPAN_RECONCILE, KUBESPAN_DOWN, KUBESPAN_TIMEOUT,
            CLUSTER_ID, CLUSTER_SECRET, DISCOVERY_ENABLED, DISCOVERY_ENDPOINTS, DISCOVERY_KUBERNETES, NAT_STUN_SERVERS,
            NAT_RELAY_SERVERS, NAT_RELAY_USERNAME, NAT_RELAY_PASSWORD, NAT_RELAY_SHARED_SECRET);
    /** Keys under these prefixes are ours: an unknown one is a typo. */
    private static final List<String> OWN_PREFIXES = List.of("kubespan.", "cluster.", "discovery.", "nat.");
    private static final Pattern NAMED_URL = Pattern.compile("([A-Za-z0-9][A-Za-z0-9._-]*)=(.*)");

    private final Map<String, ?> props;
    private final Problems problems;

    private ConfigAdminReader(Map<String, ?> props, Problems problems) {
        this.props = props;
        this.problems = problems;
    }

    /** Whether any KubeSpan setting is present (to warn when they are set but the source is the file). */
    static boolean hasSettings(Map<String, ?> props) {
        return props.keySet().stream().anyMatch(k -> OWN_PREFIXES.stream().anyMatch(k::startsWith));
    }

    static RawSettings read(Map<String, ?> props, Problems problems) {
        return new ConfigAdminReader(props, problems).run();
    }

    private RawSettings run() {
        for (String key : props.keySet()) {
            if (OWN_PREFIXES.stream().anyMatch(key::startsWith) && !KEYS.contains(key)) {
                problems.error(key, 0, "unknown key");
            }
        }
        RawSettings out = new RawSettings(problems.source());
        RawSettings.KubeSpan ks = new RawSettings.KubeSpan("kubespan", 0, false);
        ks.enabled = bool(KUBESPAN_ENABLED);
        ks.allowDownPeerBypass = bool(KUBESPAN_ALLOW_DOWN_PEER_BYPASS);
        ks.advertiseKubernetesNetworks = bool(KUBESPAN_ADVERTISE_KUBERNETES_NETWORKS);
        ks.harvestExtraEndpoints = bool(KUBESPAN_HARVEST_EXTRA_ENDPOINTS);
        ks.mtu = integer(KUBESPAN_MTU);
        ks.endpointFilters = list(KUBESPAN_FILTERS_ENDPOINTS);
        ks.excludeAdvertisedNetworks = list(KUBESPAN_FILTERS_EXCLUDE);
        ks.peerEndpointFilters = list(KUBESPAN_FILTERS_PEER_ENDPOINTS);
        out.kubeSpanDocument = ks;
        out.extraAnnouncedEndpoints = list(KUBESPAN_EXTRA_ENDPOINTS);
        out.listenPort = integer(KUBESPAN_LISTEN_PORT);
        out.peerReconcileInterval = text(KUBESPAN_RECONCILE);
        out.peerDownInterval = text(KUBESPAN_DOWN);
        out.endpointConnectionTimeout = text(KUBESPAN_TIMEOUT);

        RawSettings.Identity id = new RawSettings.Identity("cluster", 0);
        id.clusterId = text(CLUSTER_ID);
        id.clusterSecret = text(CLUSTER_SECRET);
        out.identityDocument = id;

        RawSettings.Nat nat = new RawSettings.Nat("nat", 0);
        nat.stunServers = list(NAT_STUN_SERVERS);
        nat.relayServers = list(NAT_RELAY_SERVERS);
        nat.relayUsername = text(NAT_RELAY_USERNAME);
        nat.relayPassword = text(NAT_RELAY_PASSWORD);
        nat.relaySharedSecret = text(NAT_RELAY_SHARED_SECRET);
        out.nat = nat;

        out.discoveryEnabled = bool(DISCOVERY_ENABLED);
        out.kubernetesRegistry = bool(DISCOVERY_KUBERNETES);
        List<Field<String>> urls = list(DISCOVERY_ENDPOINTS);
        if (urls != null) {
            int unnamed = 0;
            for (Field<String> f : urls) {
                String name;
                String url;
                Matcher m = NAMED_URL.matcher(f.value().trim());
                if (m.matches() && !m.group(1).contains(":")) {
                    name = m.group(1);
                    url = m.group(2);
                } else {
                    name = unnamed == 0 ? SettingsValidator.LEGACY_SERVICE_NAME : "service" + unnamed;
                    url = f.value();
                    unnamed++;
                }
                boolean clash = out.services.stream().anyMatch(s -> s.name().value().equals(name));
                if (clash) {
                    problems.error(f.path(), 0, "a second discovery endpoint named '" + name + "'");
                    continue;
                }
                out.services.add(new RawSettings.Service(new Field<>(name, f.path(), 0),
                        new Field<>(url, f.path(), 0), f.path(), 0));
            }
        }
        return out;
    }

    private Object raw(String key) {
        Object v = props.get(key);
        if (v instanceof String s && s.isBlank() && !key.equals(CLUSTER_ID) && !key.equals(CLUSTER_SECRET)) {
            return null;
        }
        return v;
    }

    private Field<Boolean> bool(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Boolean b) {
            return new Field<>(b, key, 0);
        }
        if (v instanceof String s) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            if (t.equals("true") || t.equals("false")) {
                return new Field<>(Boolean.parseBoolean(t), key, 0);
            }
            problems.error(key, 0, "expected true or false, got '" + s.trim() + "'");
            return null;
        }
        problems.error(key, 0, "expected a boolean, got a " + v.getClass().getSimpleName());
        return null;
    }

    private Field<Long> integer(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
            return new Field<>(((Number) v).longValue(), key, 0);
        }
        if (v instanceof String s && s.trim().matches("[+-]?[0-9]{1,18}")) {
            return new Field<>(Long.parseLong(s.trim()), key, 0);
        }
        problems.error(key, 0, "expected an integer, got " + (v instanceof String s ? "'" + s.trim() + "'"
                : "a " + v.getClass().getSimpleName()));
        return null;
    }

    /** Never echoes the value: this reads the cluster secret too. */
    private Field<String> text(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        if (v instanceof String s) {
            return new Field<>(s, key, 0);
        }
        if (v instanceof Number || v instanceof Boolean) {
            return new Field<>(v.toString(), key, 0);
        }
        problems.error(key, 0, "expected a string, got a " + v.getClass().getSimpleName());
        return null;
    }

    private List<Field<String>> list(String key) {
        Object v = raw(key);
        if (v == null) {
            return null;
        }
        List<Object> items = new ArrayList<>();
        if (v instanceof String s) {
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    items.add(part.trim());
                }
            }
        } else if (v instanceof Collection<?> c) {
            items.addAll(c);
        } else if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) {
                items.add(Array.get(v, i));
            }
        } else {
            problems.error(key, 0, "expected a list of strings, got a " + v.getClass().getSimpleName());
            return null;
        }
        List<Field<String>> out = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            Object item = items.get(i);
            String path = key + "[" + i + "]";
            if (item instanceof String s) {
                if (!s.isBlank()) {
                    out.add(new Field<>(s, path, 0));
                }
            } else {
                problems.error(path, 0, "expected a string, got " + (item == null ? "null" : "a "
                        + item.getClass().getSimpleName()));
            }
        }
        return out;
    }
}
