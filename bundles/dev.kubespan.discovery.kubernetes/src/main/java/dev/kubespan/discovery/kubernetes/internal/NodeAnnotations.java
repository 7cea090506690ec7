package dev.kubespan.discovery.kubernetes.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.api.wireguard.Key;
import java.net.InetAddress;

/**
 * The Node annotation format of docs/kubespan-node.md §7.2 / docs/discovery-protocol.md §6, both ways:
 * an affiliate becomes eight annotations (an empty value means "remove"), and a Node's
 * annotations, labels and status become a raw affiliate. Lists are comma-separated; endpoints
 * are {@code ip:port} with IPv6 as {@code [ip]:port}. Unparsable list items are skipped and
 * reported as problems, never fatal.
 */
final class NodeAnnotations {
    static final String NODE_ID = "cluster.talos.dev/node-id";
    static final String SELF_IPS = "networking.talos.dev/self-ips";
    static final String API_SERVER_PORT = "networking.talos.dev/api-server-port";
    static final String KUBESPAN_IP = "networking.talos.dev/kubespan-ip";
    static final String KUBESPAN_PUBLIC_KEY = "networking.talos.dev/kubespan-public-key";
    static final String ASSIGNED_PREFIXES = "networking.talos.dev/assigned-prefixes";
    static final String KUBESPAN_ENDPOINTS = "networking.talos.dev/kubespan-endpoints";
    static final String EXCLUDE_ADVERTISED_NETWORKS = "networking.talos.dev/kubespan-exclude-advertised-networks";
    /** Every annotation this registry writes, in the spec's order. */
    static final List<String> ALL = List.of(NODE_ID, SELF_IPS, API_SERVER_PORT, KUBESPAN_IP, KUBESPAN_PUBLIC_KEY,
            ASSIGNED_PREFIXES, KUBESPAN_ENDPOINTS, EXCLUDE_ADVERTISED_NETWORKS);

    /** Problems reported per Node: a hostile annotation can hold thousands of bad items. */
    static final int MAX_PROBLEMS = 10;

    static final String CONTROL_PLANE = "controlplane";
    static final String WORKER = "worker";

    /** A Node read as an affiliate, with what had to be skipped. */
    record Parsed(Affiliate affiliate, List<String> problems) {
    }

    private NodeAnnotations() {
    }

    /**
     * The annotations that publish {@code a}: all eight keys, in order, with "" for the ones that
     * have no value (to be removed from the Node). Items that are not valid are left out and
     * reported to {@code problems}.
     */
    static Map<String, String> forAffiliate(Affiliate a, List<String> problems) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put(NODE_ID, a.nodeId());
        out.put(SELF_IPS, join(a.addresses(), NodeAnnotations::ip, "addresses", problems));
        out.put(API_SERVER_PORT, a.controlPlane() == null || a.controlPlane().port() <= 0 ? ""
                : Integer.toString(a.controlPlane().port()));
        AffiliateKubeSpan ks = a.kubespan();
        if (ks == null) {
            out.put(KUBESPAN_IP, "");
            out.put(KUBESPAN_PUBLIC_KEY, "");
            out.put(ASSIGNED_PREFIXES, "");
            out.put(KUBESPAN_ENDPOINTS, "");
            out.put(EXCLUDE_ADVERTISED_NETWORKS, "");
        } else {
            out.put(KUBESPAN_IP, ks.address() == null ? "" : IpLiterals.format(ks.address()));
            out.put(KUBESPAN_PUBLIC_KEY, ks.publicKey().toBase64());
            out.put(ASSIGNED_PREFIXES, joinTyped(ks.additionalAddresses()));
            out.put(KUBESPAN_ENDPOINTS, joinTyped(ks.endpoints()));
            out.put(EXCLUDE_ADVERTISED_NETWORKS, joinTyped(ks.excludeAdvertisedNetworks()));
        }
        return out;
    }

    /** Whether the Node's annotations already say what {@code desired} says ("" = absent). */
    static boolean matches(Map<String, String> annotations, Map<String, String> desired) {
        for (Map.Entry<String, String> e : desired.entrySet()) {
            String have = annotations.getOrDefault(e.getKey(), "");
            if (!have.equals(e.getValue())) {
                return false;
            }
        }
        return true;
    }

    /** The Node as a raw affiliate; null when it has no node-id annotation (it does not take part). */
    static Parsed toAffiliate(NodeView node) {
        Map<String, String> an = node.annotations();
        String nodeId = an.getOrDefault(NODE_ID, "").trim();
        if (nodeId.isEmpty()) {
            return null;
        }
        List<String> problems = new ArrayList<>();
        String where = "Node " + node.name() + ": ";
        List<String> addresses = split(an.get(SELF_IPS), NodeAnnotations::ip, where + SELF_IPS, problems);
        ControlPlane cp = null;
        String port = an.getOrDefault(API_SERVER_PORT, "").trim();
        if (!port.isEmpty()) {
            if (port.matches("\\d{1,5}") && Integer.parseInt(port) >= 1 && Integer.parseInt(port) <= 65535) {
                cp = new ControlPlane(Integer.parseInt(port));
            } else {
                problems.add(where + API_SERVER_PORT + ": '" + shorten(port) + "' is not a port");
            }
        }
        AffiliateKubeSpan ks = null;
        String key = an.getOrDefault(KUBESPAN_PUBLIC_KEY, "").trim();
        if (!key.isEmpty()) {
            Key publicKey = key(key);
            if (publicKey != null) {
                InetAddress address = null;
                String ksIp = an.getOrDefault(KUBESPAN_IP, "").trim();
                if (!ksIp.isEmpty()) {
                    List<InetAddress> one = split(ksIp, IpLiterals::parse, where + KUBESPAN_IP, problems);
                    address = one.isEmpty() ? null : one.get(0);
                }
                ks = new AffiliateKubeSpan(publicKey, address,
                        split(an.get(ASSIGNED_PREFIXES), IpPrefix::parse, where + ASSIGNED_PREFIXES, problems),
                        split(an.get(KUBESPAN_ENDPOINTS), Endpoint::parse, where + KUBESPAN_ENDPOINTS, problems),
                        split(an.get(EXCLUDE_ADVERTISED_NETWORKS), IpPrefix::parse, where + EXCLUDE_ADVERTISED_NETWORKS,
                                problems));
            } else {
                problems.add(where + KUBESPAN_PUBLIC_KEY + ": not a WireGuard public key; KubeSpan data ignored");
            }
        }
        Affiliate a = new Affiliate(nodeId, addresses, node.hostname(), node.name(), node.osImage(),
                node.controlPlane() ? CONTROL_PLANE : WORKER, ks, cp);
        if (problems.size() > MAX_PROBLEMS) {
            int more = problems.size() - MAX_PROBLEMS;
            problems = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
            problems.add(where + "and " + more + " more problems");
        }
        return new Parsed(a, problems);
    }

    private static Key key(String text) {
        try {
            return Key.fromBase64(text);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String ip(String s) {
        return IpLiterals.format(IpLiterals.parse(s));
    }

    /** Typed values are valid by construction: their canonical texts, comma-separated. */
    private static String joinTyped(List<?> items) {
        return String.join(",", items.stream().map(String::valueOf).distinct().toList());
    }

    private static <T> List<T> split(String value, Function<String, T> canonical, String what,
            List<String> problems) {
        List<T> out = new ArrayList<>();
        if (value == null || value.isBlank()) {
            return out;
        }
        for (String item : value.split(",")) {
            String s = item.trim();
            if (s.isEmpty()) {
                continue;
            }
            try {
                T c = canonical.apply(s);
                if (!out.contains(c)) {
                    out.add(c);
                }
            } catch (RuntimeException e) {
                problems.add(what + ": skipping '" + shorten(s) + "': " + shorten(e.getMessage(), 160));
            }
        }
        return out;
    }

    private static String join(List<String> items, Function<String, String> canonical, String what,
            List<String> problems) {
        List<String> out = new ArrayList<>();
        for (String item : items) {
            try {
                String c = canonical.apply(item);
                if (!out.contains(c)) {
                    out.add(c);
                }
            } catch (RuntimeException e) {
                problems.add("local affiliate " + what + ": not publishing '" + shorten(item) + "': "
                        + shorten(e.getMessage(), 160));
            }
        }
        return String.join(",", out);
    }

    /** Node data is untrusted: keep log lines short. */
    private static String shorten(String s) {
        return shorten(s, 64);
    }

    private static String shorten(String s, int max) {
        String t = String.valueOf(s);
        return t.length() > max ? t.substring(0, max) + "..." : t;
    }
}
