package dev.kubespan.metrics.internal;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;

/**
 * Everything this bundle reads from resource specs, in one place (the spec records will gain
 * fields; only this class needs to follow). Peers are named by their label (the node name),
 * never by their key: the key is the resource id and stays internal.
 */
final class MeshReadings {
    private MeshReadings() {
    }

    /** One peer as the metrics show it. {@code lastHandshake} is null when there was none. */
    record Peer(String key, String name, String state, String endpoint, long receiveBytes, long transmitBytes,
            Instant lastHandshake) {
    }

    record Registry(String id, String state, int affiliates, Instant lastErrorTime) {
    }

    record Link(String name, String backend, boolean present, boolean up, int mtu, int listenPort, int peers) {
    }

    static List<Peer> peers(ResourceStore store) {
        List<Resource<KubeSpanPeerStatus>> statuses = store.list(ResourceTypes.KUBESPAN_PEER_STATUS,
                Namespaces.KUBESPAN);
        Map<String, KubeSpanPeerSpec> specs = new HashMap<>();
        for (Resource<KubeSpanPeerSpec> r : store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            specs.put(r.id(), r.spec());
        }
        List<Peer> out = new ArrayList<>(statuses.size());
        Set<String> names = new HashSet<>();
        for (Resource<KubeSpanPeerStatus> r : statuses) {
            KubeSpanPeerStatus s = r.spec();
            String name = name(r.id(), s.label(), specs.get(r.id()));
            // Two peers under one label would be one series twice: the second gets its address too.
            if (!names.add(name)) {
                KubeSpanPeerSpec spec = specs.get(r.id());
                name = name + " (" + (spec == null ? "#" + names.size() : IpLiterals.format(spec.address())) + ")";
                names.add(name);
            }
            out.add(new Peer(r.id(), name, s.state().toString(), s.endpoint(), s.receiveBytes(), s.transmitBytes(),
                    Times.isZero(s.lastHandshakeTime()) ? null : s.lastHandshakeTime()));
        }
        return out;
    }

    /** The label of a status, else of its spec, else the peer's KubeSpan address. */
    static String name(String key, String statusLabel, KubeSpanPeerSpec spec) {
        if (!statusLabel.isEmpty()) {
            return statusLabel;
        }
        if (spec != null && !spec.label().isEmpty()) {
            return spec.label();
        }
        return spec != null ? IpLiterals.format(spec.address()) : "unnamed";
    }

    /** What the change from {@code before} to {@code after} counts as, for the history counters. */
    record Change(boolean endpointChanged, String newState) {
    }

    static Change change(KubeSpanPeerStatus before, KubeSpanPeerStatus after) {
        boolean endpoint = !before.endpoint().equals(after.endpoint()) && !after.endpoint().isEmpty();
        String state = before.state() == after.state() ? null : after.state().toString();
        return new Change(endpoint, state);
    }

    static String label(KubeSpanPeerStatus status) {
        return status.label();
    }

    static List<Registry> registries(ResourceStore store) {
        List<Registry> out = new ArrayList<>();
        for (Resource<RegistryStatus> r : store.list(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER)) {
            RegistryStatus s = r.spec();
            out.add(new Registry(r.id(), s.state().toString(), s.affiliates(),
                    Times.isZero(s.lastErrorTime()) ? null : s.lastErrorTime()));
        }
        return out;
    }

    static Instant lastErrorTime(RegistryStatus s) {
        return Times.isZero(s.lastErrorTime()) ? null : s.lastErrorTime();
    }

    static List<Link> links(ResourceStore store) {
        List<Link> out = new ArrayList<>();
        for (Resource<LinkStatus> r : store.list(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN)) {
            LinkStatus s = r.spec();
            out.add(new Link(r.id(), s.backend().toString(), s.present(), s.up(), s.mtu(), s.listenPort(), s.peers()));
        }
        return out;
    }

    /** Which registry wrote a raw affiliate: {@code service}, {@code kubernetes} or the owner as it is. */
    static String registryOfOwner(String owner) {
        if (owner.endsWith(".discovery.service")) {
            return "service";
        }
        if (owner.endsWith(".discovery.kubernetes")) {
            return "kubernetes";
        }
        return owner.isEmpty() ? "unknown" : owner;
    }

    static int members(ResourceStore store) {
        return store.list(ResourceTypes.MEMBER, Namespaces.CLUSTER).size();
    }
}
