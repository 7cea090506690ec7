package dev.kubespan.web.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpLiterals;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.Member;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;

/**
 * Everything the page shows, read from resource specs in this one class (the spec records will
 * gain fields; only this class needs to follow). Field by field, so nothing secret can slip in:
 * the identity's private key and the cluster secret are simply never read.
 */
final class MeshView {
    private MeshView() {
    }

    /** One peer's traffic and state at one moment, for the history. */
    record PeerSample(String name, String state, long receiveBytes, long transmitBytes) {
    }

    static List<PeerSample> samples(ResourceStore store) {
        List<PeerSample> out = new ArrayList<>();
        for (Resource<KubeSpanPeerStatus> r : store.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            KubeSpanPeerStatus s = r.spec();
            out.add(new PeerSample(name(s.label(), r.id()), s.state().toString(), s.receiveBytes(), s.transmitBytes()));
        }
        return out;
    }

    /** The label, or a short form of the key (public, but long) when there is none. */
    static String name(String label, String key) {
        return label.isEmpty() ? "peer " + key.substring(0, Math.min(8, key.length())) : label;
    }

    /** The model of {@code /api/mesh}. */
    static Map<String, Object> mesh(ResourceStore store, Instant now, TrafficHistory.Rates rates) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", now.toString());
        out.put("node", node(store));
        Map<String, KubeSpanPeerSpec> specs = new HashMap<>();
        for (Resource<KubeSpanPeerSpec> r : store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
            specs.put(r.id(), r.spec());
        }
        List<Map<String, Object>> peers = new ArrayList<>();
        for (Resource<KubeSpanPeerStatus> r : store.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN)) {
            KubeSpanPeerStatus s = r.spec();
            KubeSpanPeerSpec spec = specs.get(r.id());
            String name = name(s.label(), r.id());
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("name", name);
            p.put("publicKey", r.id());
            p.put("address", spec == null ? "" : IpLiterals.format(spec.address()));
            p.put("state", s.state().toString());
            p.put("endpoint", s.endpoint());
            p.put("lastUsedEndpoint", s.lastUsedEndpoint());
            p.put("candidateEndpoints", spec == null ? List.of() : spec.endpoints().stream().map(Endpoint::toString).toList());
            p.put("handshakeAgeSeconds", Times.isZero(s.lastHandshakeTime()) ? null
                    : Math.max(0, Duration.between(s.lastHandshakeTime(), now).getSeconds()));
            p.put("receiveBytes", s.receiveBytes());
            p.put("transmitBytes", s.transmitBytes());
            TrafficHistory.Rate rate = rates.of(name);
            p.put("receiveBytesPerSecond", rate == null ? null : rate.receive());
            p.put("transmitBytesPerSecond", rate == null ? null : rate.transmit());
            peers.add(p);
        }
        peers.sort(java.util.Comparator.comparing(p -> String.valueOf(p.get("name"))));
        out.put("peers", peers);
        List<Map<String, Object>> members = new ArrayList<>();
        String self = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).orElse("");
        for (Resource<Member> r : store.list(ResourceTypes.MEMBER, Namespaces.CLUSTER)) {
            Member m = r.spec();
            Map<String, Object> mm = new LinkedHashMap<>();
            mm.put("name", r.id());
            mm.put("hostname", m.hostname());
            mm.put("addresses", m.addresses());
            mm.put("operatingSystem", m.operatingSystem());
            mm.put("self", m.nodeId().equals(self));
            members.add(mm);
        }
        out.put("members", members);
        List<Map<String, Object>> registries = new ArrayList<>();
        for (Resource<RegistryStatus> r : store.list(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER)) {
            RegistryStatus s = r.spec();
            Map<String, Object> rr = new LinkedHashMap<>();
            rr.put("id", r.id());
            rr.put("endpoint", s.endpoint());
            rr.put("state", s.state().toString());
            rr.put("affiliates", s.affiliates());
            rr.put("lastError", s.lastError());
            rr.put("lastErrorTime", Times.isZero(s.lastErrorTime()) ? null : s.lastErrorTime().toString());
            registries.add(rr);
        }
        out.put("registries", registries);
        List<Map<String, Object>> links = new ArrayList<>();
        for (Resource<LinkStatus> r : store.list(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN)) {
            LinkStatus s = r.spec();
            Map<String, Object> l = new LinkedHashMap<>();
            l.put("name", r.id());
            l.put("backend", s.backend().toString());
            l.put("up", s.present() && s.up());
            l.put("mtu", s.mtu());
            l.put("listenPort", s.listenPort());
            l.put("peers", s.peers());
            links.add(l);
        }
        out.put("links", links);
        out.put("kubespanEnabled", store.get(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG,
                dev.kubespan.api.spec.KubeSpanConfig.ID).map(r -> r.spec().enabled()).orElse(false));
        return out;
    }

    private static Map<String, Object> node(ResourceStore store) {
        Map<String, Object> n = new LinkedHashMap<>();
        String nodeId = store.get(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID)
                .map(r -> r.spec().nodeId()).orElse("");
        Optional<Affiliate> local = nodeId.isEmpty() ? Optional.empty()
                : store.get(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, nodeId).map(Resource::spec);
        n.put("name", local.map(Affiliate::nodename).filter(s -> !s.isEmpty())
                .or(() -> local.map(Affiliate::hostname)).orElse(""));
        n.put("nodeId", nodeId);
        Optional<KubeSpanIdentity> id = store.get(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN,
                KubeSpanIdentity.ID).map(Resource::spec);
        n.put("address", id.map(i -> i.address().toString()).orElse(""));
        n.put("subnet", id.map(i -> i.subnet().toString()).orElse(""));
        n.put("publicKey", id.map(i -> i.publicKey().toBase64()).orElse(""));
        n.put("endpoints", local.flatMap(a -> Optional.ofNullable(a.kubespan())).map(k -> k.endpoints().stream().map(Endpoint::toString).toList())
                .orElse(List.of()));
        return n;
    }
}
