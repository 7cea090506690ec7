package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kubespan.api.Watch;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.net.Route;
import dev.kubespan.api.net.RoutingControl;
import dev.kubespan.api.net.Rule;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.api.wireguard.WireGuardControl;

/**
 * One fake host: a WireGuard link, its peers, addresses, routes and rules, seen consistently
 * through WireGuardControl, RoutingControl and HostNetwork. Every mutating call is counted.
 */
final class FakeKernel implements WireGuardControl, RoutingControl, HostNetwork {
    static final class FakePeer {
        Key psk;
        Endpoint endpoint;
        Duration keepalive;
        List<IpPrefix> allowed;
    }

    final Map<String, Integer> calls = new TreeMap<>();
    final List<AddressInfo> hostAddresses = new ArrayList<>();
    final Map<Key, FakePeer> peers = new LinkedHashMap<>();
    final Set<IpPrefix> linkAddresses = new LinkedHashSet<>();
    final Set<Route> routes = new LinkedHashSet<>();
    final Set<Rule> rules = new LinkedHashSet<>();
    final List<DeviceConfig> applied = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

    boolean linkPresent;
    boolean linkUp;
    int linkMtu;
    Key privateKey;
    Key publicKey;
    int listenPort;
    int fwmark;
    /** When set, the next mutating call throws it (once). */
    RuntimeException failNext;

    private synchronized void count(String method, boolean mutating) {
        calls.merge(method, 1, Integer::sum);
        if (mutating && failNext != null) {
            RuntimeException e = failNext;
            failNext = null;
            throw e;
        }
    }

    synchronized int calls(String method) {
        return calls.getOrDefault(method, 0);
    }

    /** All calls that change something. */
    synchronized int mutations() {
        int n = 0;
        for (String m : List.of("ensureLink", "apply", "deleteLink", "addAddress",
                "removeAddress", "addRoute", "removeRoute", "addRule", "removeRule")) {
            n += calls(m);
        }
        return n;
    }

    synchronized void resetCalls() {
        calls.clear();
    }

    // --- WireGuardControl

    @Override
    public Backend backend() {
        return Backend.USERSPACE;
    }

    @Override
    public synchronized void ensureLink(String link, int mtu) {
        count("ensureLink", true);
        linkPresent = true;
        linkUp = true;
        linkMtu = mtu;
    }

    @Override
    public synchronized boolean linkExists(String link) {
        count("linkExists", false);
        return linkPresent;
    }

    @Override
    public synchronized void apply(String link, DeviceConfig desired) {
        count("apply", true);
        if (!linkPresent) {
            throw new NetworkException("no such device " + link, 19);
        }
        applied.add(desired);
        privateKey = desired.privateKey();
        publicKey = privateKey.publicKey();
        listenPort = desired.listenPort();
        fwmark = desired.fwmark();
        Map<Key, FakePeer> next = new LinkedHashMap<>();
        for (PeerConfig pc : desired.peers()) {
            FakePeer p = peers.getOrDefault(pc.publicKey(), new FakePeer());
            p.psk = pc.presharedKey();
            p.keepalive = pc.persistentKeepalive();
            p.allowed = pc.allowedIPs();
            if (pc.endpoint() != null) {
                p.endpoint = pc.endpoint();
            }
            next.put(pc.publicKey(), p);
        }
        peers.clear();
        peers.putAll(next);
    }

    @Override
    public synchronized Optional<DeviceState> read(String link) {
        count("read", false);
        if (!linkPresent) {
            return Optional.empty();
        }
        List<DevicePeer> out = new ArrayList<>();
        peers.forEach((k, p) -> out.add(new DevicePeer(k, p.psk != null, p.endpoint, null, 0, 0, p.keepalive,
                p.allowed)));
        return Optional.of(new DeviceState(link, publicKey, listenPort, fwmark, out));
    }

    @Override
    public synchronized void deleteLink(String link) {
        count("deleteLink", true);
        linkPresent = false;
        peers.clear();
        privateKey = null;
        publicKey = null;
        listenPort = 0;
        fwmark = 0;
        linkAddresses.clear();
        routes.removeIf(r -> r.link().equals(link));
    }

    // --- RoutingControl

    @Override
    public synchronized void addAddress(String link, IpPrefix address) {
        count("addAddress", true);
        requireLink(link);
        linkAddresses.add(address);
    }

    @Override
    public synchronized void removeAddress(String link, IpPrefix address) {
        count("removeAddress", true);
        linkAddresses.remove(address);
    }

    @Override
    public synchronized List<Route> routes(int table) {
        count("routes", false);
        return routes.stream().filter(r -> r.table() == table).toList();
    }

    @Override
    public synchronized void addRoute(Route route) {
        count("addRoute", true);
        requireLink(route.link());
        routes.removeIf(r -> r.table() == route.table() && r.destination().equals(route.destination()));
        routes.add(route);
    }

    @Override
    public synchronized void removeRoute(Route route) {
        count("removeRoute", true);
        routes.removeIf(r -> r.table() == route.table() && r.destination().equals(route.destination()));
    }

    @Override
    public synchronized List<Rule> rules() {
        count("rules", false);
        return List.copyOf(rules);
    }

    @Override
    public synchronized void addRule(Rule rule) {
        count("addRule", true);
        rules.add(rule);
    }

    @Override
    public synchronized void removeRule(Rule rule) {
        count("removeRule", true);
        rules.remove(rule);
    }

    private void requireLink(String link) {
        if (link.equals("kubespan") && !linkPresent) {
            throw new NetworkException("Cannot find device \"" + link + "\"", 19);
        }
    }

    // --- HostNetwork

    @Override
    public synchronized List<LinkInfo> links() {
        List<LinkInfo> out = new ArrayList<>();
        out.add(new LinkInfo(1, "lo", "", 772, "", true, 65536));
        out.add(new LinkInfo(2, "eth0", "", LinkInfo.ARPHRD_ETHER, "02:00:00:00:00:01", true, 1500));
        if (linkPresent) {
            out.add(new LinkInfo(9, "kubespan", "wireguard", 65534, "", linkUp, linkMtu));
        }
        return out;
    }

    @Override
    public synchronized Optional<LinkInfo> link(String name) {
        return links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    @Override
    public synchronized List<AddressInfo> addresses() {
        List<AddressInfo> out = new ArrayList<>(hostAddresses);
        for (IpPrefix p : linkAddresses) {
            out.add(new AddressInfo(9, "kubespan", p, AddressInfo.SCOPE_GLOBAL));
        }
        return out;
    }

    @Override
    public Watch onChange(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    int changeListeners() {
        return listeners.size();
    }

    void fireChange() {
        listeners.forEach(Runnable::run);
    }

    // --- helpers for tests

    synchronized Endpoint endpointOf(Key peer) {
        FakePeer p = peers.get(peer);
        return p == null ? null : p.endpoint;
    }

    synchronized Duration keepaliveOf(Key peer) {
        FakePeer p = peers.get(peer);
        return p == null ? null : p.keepalive;
    }

    synchronized boolean hasPeer(Key peer) {
        return peers.containsKey(peer);
    }

    synchronized int routeCount() {
        return routes.size();
    }

    synchronized int ruleCount() {
        return rules.size();
    }

    synchronized void setEndpoint(Key peer, Endpoint e) {
        peers.get(peer).endpoint = e;
    }
}
