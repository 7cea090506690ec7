package dev.kubespan.config.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.function.Function;

import dev.kubespan.api.SpecValues;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.NatConfig;

/**
 * Applies the rules of docs/kubespan-node.md §6 to {@link RawSettings}: defaults, mutual exclusion,
 * value checks. Reports every problem; returns an {@link EffectiveConfig} only when there is none.
 *
 * <p>One deliberate difference from Talos: an explicitly empty {@code filters.endpoints} list means
 * "no filtering", like an absent one (read literally, Talos would advertise no endpoint at all).
 */
final class SettingsValidator {
    /** WireGuard re-handshakes a live session every 120 s plus jitter (seen up to ~145 s). */
    static final Duration HEALTHY_HANDSHAKE_GAP = Duration.ofSeconds(150);


    /** Talos' default discovery service for the v1alpha1 block. */
    static final String LEGACY_DEFAULT_ENDPOINT = "https://discovery.talos.dev/";
    /** Name given to the single service of the v1alpha1 discovery block. */
    static final String LEGACY_SERVICE_NAME = "default";
    static final int MAX_MTU = 65535;

    private final Problems problems;

    private SettingsValidator(Problems problems) {
        this.problems = problems;
    }

    static EffectiveConfig validate(RawSettings raw, Problems problems) {
        EffectiveConfig c = new SettingsValidator(problems).run(raw);
        return problems.hasErrors() ? null : c;
    }

    private EffectiveConfig run(RawSettings raw) {
        // KubeSpan switches: the legacy block and the document are mutually exclusive.
        RawSettings.KubeSpan ks = raw.kubeSpanDocument != null ? raw.kubeSpanDocument : raw.legacyKubeSpan;
        if (raw.kubeSpanDocument != null && raw.legacyKubeSpan != null) {
            problems.error(raw.kubeSpanDocument.path, raw.kubeSpanDocument.line,
                    "a KubeSpanConfig document and machine.network.kubespan (line " + raw.legacyKubeSpan.line
                            + ") are mutually exclusive; keep one");
        }
        boolean enabled = ks != null && value(ks.enabled, false);
        int mtu = mtu(ks, enabled);
        List<String> endpointFilters = ks == null ? List.of() : filters(ks.endpointFilters);
        List<String> peerEndpointFilters = ks == null ? List.of() : filters(ks.peerEndpointFilters);
        List<String> exclude = ks == null ? List.of()
                : each(ks.excludeAdvertisedNetworks, t -> IpPrefix.parse(t).toString(), "not a CIDR");
        List<String> extra = each(raw.extraAnnouncedEndpoints, t -> Endpoint.parse(t).toString(), "not ip:port");

        int listenPort = KubeSpanConfig.DEFAULT_LISTEN_PORT;
        if (raw.listenPort != null) {
            long p = raw.listenPort.value();
            if (p < 1 || p > 65535) {
                problems.error(raw.listenPort.path(), raw.listenPort.line(), "port " + p + " out of range 1..65535");
            } else {
                listenPort = (int) p;
            }
        }
        Duration reconcile = duration(raw.peerReconcileInterval, KubeSpanConfig.DEFAULT_RECONCILE_INTERVAL);
        Duration down = duration(raw.peerDownInterval, KubeSpanConfig.DEFAULT_DOWN_INTERVAL);
        Duration timeout = duration(raw.endpointConnectionTimeout, KubeSpanConfig.DEFAULT_CONNECTION_TIMEOUT);
        if (reconcile != null && down != null && timeout != null && timeout.compareTo(down) >= 0) {
            Field<String> at = raw.endpointConnectionTimeout != null ? raw.endpointConnectionTimeout : raw.peerDownInterval;
            problems.error(at.path(), at.line(), "endpointConnectionTimeout (" + SpecValues.goDuration(timeout)
                    + ") must be shorter than peerDownInterval (" + SpecValues.goDuration(down) + ")");
        }
        if (down != null && raw.peerDownInterval != null && down.compareTo(HEALTHY_HANDSHAKE_GAP) < 0) {
            problems.warn(raw.peerDownInterval.path(), raw.peerDownInterval.line(), "peerDownInterval "
                    + SpecValues.goDuration(down) + " is shorter than the gap between a live peer's handshakes "
                    + "(up to about " + SpecValues.goDuration(HEALTHY_HANDSHAKE_GAP)
                    + "): healthy peers will flap to down between handshakes");
        }

        // Identity: v1alpha1 cluster.id/secret win over the DiscoveryIdentityConfig document.
        RawSettings.Identity identity = raw.identityDocument;
        if (raw.legacyIdentity != null && !raw.legacyIdentity.isEmpty()) {
            if (raw.identityDocument != null && !raw.identityDocument.isEmpty()) {
                problems.warn(raw.identityDocument.path, raw.identityDocument.line,
                        "ignored: cluster.id/cluster.secret of the v1alpha1 document take precedence");
            }
            identity = raw.legacyIdentity;
        }
        String clusterId = null;
        String secret = null;
        if (identity != null && !identity.isEmpty()) {
            clusterId = clusterId(identity);
            secret = secret(identity);
        }

        DiscoveryConfig discovery = discovery(raw, clusterId, secret);

        if (problems.hasErrors()) {
            return null;
        }
        KubeSpanConfig kubeSpan = null;
        if (clusterId != null && secret != null) {
            boolean bypass = ks != null && value(ks.allowDownPeerBypass, false);
            kubeSpan = KubeSpanConfig.builder().enabled(enabled).clusterId(clusterId).sharedSecret(secret)
                    .forceRouting(!bypass)
                    .advertiseKubernetesNetworks(ks != null && value(ks.advertiseKubernetesNetworks, false)).mtu(mtu)
                    .endpointFilters(endpointFilters)
                    .harvestExtraEndpoints(ks != null && value(ks.harvestExtraEndpoints, false))
                    .extraEndpoints(extra).excludeAdvertisedNetworks(exclude).listenPort(listenPort)
                    .peerEndpointFilters(peerEndpointFilters).peerReconcileInterval(reconcile).peerDownInterval(down)
                    .endpointConnectionTimeout(timeout).build();
        }
        return new EffectiveConfig(kubeSpan, discovery, nat(raw.nat));
    }

    /** Relay and STUN servers are {@code host:port}; credentials are a shared secret or a username with a password. */
    private NatConfig nat(RawSettings.Nat n) {
        if (n == null) {
            return NatConfig.none();
        }
        List<String> stun = each(n.stunServers, SettingsValidator::hostPort, "not host:port");
        List<String> relays = each(n.relayServers, SettingsValidator::hostPort, "not host:port");
        String user = n.relayUsername == null ? "" : n.relayUsername.value().trim();
        String password = n.relayPassword == null ? "" : n.relayPassword.value();
        String secret = n.relaySharedSecret == null ? "" : n.relaySharedSecret.value();
        if (!user.isEmpty() && password.isEmpty()) {
            problems.error(n.relayUsername.path(), n.relayUsername.line(), "a relay username needs a relayPassword");
        }
        if (user.isEmpty() && !password.isEmpty()) {
            problems.error(n.relayPassword.path(), n.relayPassword.line(), "a relayPassword needs a relayUsername");
        }
        if (!secret.isEmpty() && !user.isEmpty()) {
            problems.error(n.relaySharedSecret.path(), n.relaySharedSecret.line(), "relaySharedSecret (TURN REST) and "
                    + "relayUsername/relayPassword (long-term credentials) are mutually exclusive; keep one");
        }
        if (!relays.isEmpty() && secret.isEmpty() && user.isEmpty()) {
            problems.error(n.path + ".relayServers", n.line, "relay servers need credentials: relaySharedSecret, or "
                    + "relayUsername and relayPassword (an open relay is never used)");
        }
        return new NatConfig(stun, relays, user, password, secret);
    }

    private static String hostPort(String text) {
        int colon = text.lastIndexOf(':');
        if (colon <= 0 || colon == text.length() - 1) {
            throw new IllegalArgumentException("expected host:port");
        }
        int port = Integer.parseInt(text.substring(colon + 1));
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " out of range 1..65535");
        }
        String host = text.substring(0, colon);
        if (host.isBlank() || host.contains(" ")) {
            throw new IllegalArgumentException("no host");
        }
        return text;
    }

    private int mtu(RawSettings.KubeSpan ks, boolean enabled) {
        if (ks == null || ks.mtu == null) {
            return KubeSpanConfig.DEFAULT_MTU;
        }
        long v = ks.mtu.value();
        if (ks.legacy && v == 0) {
            return KubeSpanConfig.DEFAULT_MTU;
        }
        if (v > MAX_MTU) {
            problems.error(ks.mtu.path(), ks.mtu.line(), "MTU " + v + " is above " + MAX_MTU);
            return KubeSpanConfig.DEFAULT_MTU;
        }
        if (v < KubeSpanConfig.MIN_MTU) {
            String reason = "MTU " + v + " is below the minimum " + KubeSpanConfig.MIN_MTU;
            // Talos checks the v1alpha1 MTU only when KubeSpan is enabled.
            if (ks.legacy && !enabled && v >= 0) {
                problems.warn(ks.mtu.path(), ks.mtu.line(), reason + " (accepted while KubeSpan is disabled)");
                return (int) v;
            }
            problems.error(ks.mtu.path(), ks.mtu.line(), reason);
            return KubeSpanConfig.DEFAULT_MTU;
        }
        return (int) v;
    }

    /** Endpoint filters: CIDR or IP, optionally negated with a leading {@code !}; canonical form. */
    private List<String> filters(List<Field<String>> in) {
        return each(in, t -> {
            boolean negate = t.startsWith("!");
            return (negate ? "!" : "") + IpPrefix.parse(negate ? t.substring(1) : t);
        }, "not a CIDR or IP (optionally prefixed with !)");
    }

    private List<String> each(List<Field<String>> in, Function<String, String> parse, String what) {
        if (in == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        for (Field<String> f : in) {
            String t = f.value().trim();
            try {
                out.add(parse.apply(t));
            } catch (IllegalArgumentException e) {
                problems.error(f.path(), f.line(), "'" + t + "' is " + what + ": " + e.getMessage());
            }
        }
        return out;
    }

    private Duration duration(Field<String> f, Duration dflt) {
        if (f == null) {
            return dflt;
        }
        try {
            Duration d = GoDuration.parse(f.value());
            if (d.isNegative() || d.isZero()) {
                problems.error(f.path(), f.line(), "'" + f.value().trim() + "' must be a positive duration");
                return null;
            }
            return d;
        } catch (IllegalArgumentException e) {
            problems.error(f.path(), f.line(), e.getMessage());
            return null;
        }
    }

    private String clusterId(RawSettings.Identity id) {
        if (id.clusterId == null || id.clusterId.value().isBlank()) {
            problems.error(id.path + "." + (id.path.equals("cluster") ? "id" : "clusterID"), id.line,
                    "missing: a cluster secret is configured, so the cluster ID is needed too");
            return null;
        }
        return id.clusterId.value().trim();
    }

    /** The secret is the AES-256 key of discovery and the WireGuard PSK: standard base64 of 32 bytes. */
    private String secret(RawSettings.Identity id) {
        Field<String> f = id.clusterSecret;
        if (f == null || f.value().isBlank()) {
            problems.error(id.path + "." + (id.path.equals("cluster") ? "secret" : "clusterSecret"), id.line,
                    "missing: a cluster ID is configured, so the cluster secret is needed too"
                            + " (run bin/kubespan gen-config for a new pair)");
            return null;
        }
        String s = f.value().trim();
        byte[] key;
        try {
            key = Base64.getDecoder().decode(s);
        } catch (IllegalArgumentException e) {
            problems.error(f.path(), f.line(), "not standard base64 (the value is not shown)");
            return null;
        }
        if (key.length != 32) {
            problems.error(f.path(), f.line(), "must decode to exactly 32 bytes, decodes to " + key.length
                    + " (the value is not shown)");
            return null;
        }
        return s;
    }

    private DiscoveryConfig discovery(RawSettings raw, String clusterId, String secret) {
        List<DiscoveryServiceEndpoint> endpoints = new ArrayList<>();
        boolean enabled;
        boolean kubernetes;
        RawSettings.LegacyDiscovery ld = raw.legacyDiscovery;
        if (ld != null) {
            if (!raw.services.isEmpty()) {
                RawSettings.Service first = raw.services.get(0);
                problems.error(first.path(), first.line(), "DiscoveryServiceConfig documents and the cluster.discovery"
                        + " block (line " + ld.line + ") are mutually exclusive; keep one");
            }
            enabled = value(ld.enabled, false);
            kubernetes = enabled && !value(ld.kubernetesDisabled, false);
            if (enabled && !value(ld.serviceDisabled, false)) {
                Field<String> url = ld.serviceEndpoint;
                String text = url == null || url.value().isBlank() ? LEGACY_DEFAULT_ENDPOINT : url.value();
                try {
                    endpoints.add(DiscoveryUrls.toEndpoint(LEGACY_SERVICE_NAME, text));
                } catch (IllegalArgumentException e) {
                    problems.error(url.path(), url.line(), e.getMessage());
                }
            }
        } else {
            boolean master = value(raw.discoveryEnabled, true);
            for (RawSettings.Service s : raw.services) {
                try {
                    endpoints.add(DiscoveryUrls.toEndpoint(s.name().value().trim(), s.endpoint().value()));
                } catch (IllegalArgumentException e) {
                    problems.error(s.endpoint().path(), s.endpoint().line(), e.getMessage());
                }
            }
            kubernetes = master && value(raw.kubernetesRegistry, false);
            if (!master) {
                endpoints.clear();
            }
            enabled = !endpoints.isEmpty() || kubernetes;
        }
        return new DiscoveryConfig(enabled, kubernetes, endpoints, secret, clusterId);
    }

    private static boolean value(Field<Boolean> f, boolean dflt) {
        return f == null ? dflt : f.value();
    }
}
