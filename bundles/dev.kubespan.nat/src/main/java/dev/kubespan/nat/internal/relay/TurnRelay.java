package dev.kubespan.nat.internal.relay;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;

import dev.kubespan.api.Backoff;
import dev.kubespan.api.Log;
import dev.kubespan.nat.internal.stun.ChannelData;
import dev.kubespan.nat.internal.stun.StunFormatException;
import dev.kubespan.nat.internal.stun.StunMessage;
import dev.kubespan.nat.internal.stun.StunMessage.Attribute;
import dev.kubespan.nat.internal.stun.TurnCredentials;

/**
 * One TURN allocation on one server (RFC 8656) and the local UDP proxies that connect it with the
 * WireGuard device. Whoever sends to the allocation's relayed address (a peer trying it as one of
 * this node's endpoints) gets a proxy of its own: a UDP socket on 127.0.0.1 that hands the peer's
 * datagrams to WireGuard's port and sends WireGuard's answers back through the allocation. To
 * WireGuard, that peer is at the proxy's address; it roams there by itself on the first
 * authenticated packet, so no second writer of the device is needed.
 *
 * <p>All I/O runs on one thread with a selector: the server's socket, the proxies, retransmission
 * of requests (0.5 s doubling, 5 tries), refresh of the allocation (at half its lifetime), of the
 * permissions (every 4 min, for every IP the owner wants plus every proxied peer) and of channel
 * bindings (every 5 min; ChannelData costs 4 bytes a packet instead of 36). A failure (no answer,
 * refused, wrong credentials) is kept as the state's error and retried with backoff. Datagrams
 * that are not well-formed STUN or ChannelData, or come from anyone but the server, are dropped.
 */
public final class TurnRelay implements AutoCloseable {
    static final Duration RTO = Duration.ofMillis(500);
    static final int TRIES = 5;
    static final int REQUESTED_LIFETIME = 600;
    static final Duration PERMISSION_REFRESH = Duration.ofMinutes(4);
    static final Duration CHANNEL_REFRESH = Duration.ofMinutes(5);
    static final Duration PROXY_IDLE = Duration.ofMinutes(3);
    private static final int MAX = 65535;

    /** What the owner reads: a snapshot, immutable. */
    public record State(String server, String phase, InetSocketAddress relayed, InetSocketAddress mapped, Instant expires,
            List<String> permissions, Map<InetSocketAddress, InetSocketAddress> proxies, String error) {
    }

    private final InetSocketAddress server;
    private final Supplier<TurnCredentials> credentials;
    private final int wireGuardPort;
    private final Log log;
    private final Clock clock;
    private final Runnable changed;
    private final Selector selector;
    private final DatagramChannel socket;
    private final Thread thread;
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), 2.0, 0.2);

    private final Map<String, Pending> pending = new HashMap<>();
    private final Map<InetSocketAddress, Proxy> proxies = new LinkedHashMap<>();
    private final Map<Integer, Proxy> byChannel = new HashMap<>();
    private volatile Set<InetAddress> wantedPeers = Set.of();
    private volatile boolean closed;

    private String realm;
    private String nonce;
    private TurnCredentials creds;
    private InetSocketAddress relayed;
    private InetSocketAddress mapped;
    private Instant expires;
    private String phase = "allocating";
    private String error = "";
    private Instant nextAttempt = Instant.MIN;
    private Instant permissionsDue = Instant.MIN;
    private Set<InetAddress> permitted = Set.of();
    private int nextChannel = ChannelData.FIRST_CHANNEL;
    private volatile State state;

    private final class Pending {
        final StunMessage request;
        final boolean authenticated;
        final java.util.function.Consumer<StunMessage> onAnswer;
        final String what;
        int tries;
        Instant retransmitAt;

        Pending(StunMessage request, boolean authenticated, String what, java.util.function.Consumer<StunMessage> onAnswer) {
            this.request = request;
            this.authenticated = authenticated;
            this.what = what;
            this.onAnswer = onAnswer;
        }
    }

    private static final class Proxy {
        final InetSocketAddress peer;
        final DatagramChannel local;
        int channel;
        Instant channelDue = Instant.MIN;
        Instant lastActive;

        Proxy(InetSocketAddress peer, DatagramChannel local, Instant now) {
            this.peer = peer;
            this.local = local;
            this.lastActive = now;
        }
    }

    public TurnRelay(InetSocketAddress server, Supplier<TurnCredentials> credentials, int wireGuardPort, Log log,
            Clock clock, Runnable changed) throws IOException {
        this.server = server;
        this.credentials = credentials;
        this.wireGuardPort = wireGuardPort;
        this.log = log;
        this.clock = clock;
        this.changed = changed;
        this.selector = Selector.open();
        this.socket = DatagramChannel.open(server.getAddress() instanceof java.net.Inet4Address ? StandardProtocolFamily.INET
                : StandardProtocolFamily.INET6);
        socket.configureBlocking(false);
        socket.connect(server);
        socket.register(selector, SelectionKey.OP_READ);
        publish();
        thread = new Thread(this::run, "kubespan-relay-" + server.getAddress().getHostAddress() + "-" + server.getPort());
        thread.setDaemon(true);
        thread.start();
    }

    public State state() {
        return state;
    }

    /** The peers (by IP) allowed to send through the allocation; permissions follow at once. */
    public void permit(Set<InetAddress> peers) {
        if (!peers.equals(wantedPeers)) {
            wantedPeers = Set.copyOf(peers);
            selector.wakeup();
        }
    }

    private void run() {
        ByteBuffer buffer = ByteBuffer.allocate(MAX);
        while (!closed) {
            try {
                Instant now = clock.instant();
                tick(now);
                long wait = Math.max(1, Duration.between(clock.instant(), nextDeadline()).toMillis());
                selector.select(Math.min(wait, 1000));
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    if (!k.isValid()) {
                        continue;
                    }
                    if (k.channel() == socket) {
                        readServer(buffer);
                    } else {
                        readProxy((Proxy) k.attachment(), buffer);
                    }
                }
            } catch (ClosedSelectorException e) {
                return;
            } catch (IOException | RuntimeException e) {
                if (closed) {
                    return;
                }
                log.warn("relay " + server + ": " + e);
                try {
                    Thread.sleep(200);
                } catch (InterruptedException ie) {
                    return;
                }
            }
        }
    }

    private Instant nextDeadline() {
        Instant next = clock.instant().plusSeconds(1);
        for (Pending p : pending.values()) {
            if (p.retransmitAt.isBefore(next)) {
                next = p.retransmitAt;
            }
        }
        return next;
    }

    /** Timers: retransmissions, (re)allocation, refreshes, idle proxies. */
    private void tick(Instant now) throws IOException {
        for (Pending p : new ArrayList<>(pending.values())) {
            if (!now.isBefore(p.retransmitAt)) {
                if (p.tries >= TRIES) {
                    pending.values().remove(p);
                    fail("no answer from " + server + " to " + p.what + " after " + TRIES + " tries");
                } else {
                    transmit(p, now);
                }
            }
        }
        if (relayed == null) {
            if (pending.isEmpty() && !now.isBefore(nextAttempt)) {
                allocate(now);
            }
            return;
        }
        if (expires != null && now.isAfter(expires.minusSeconds(REQUESTED_LIFETIME / 2)) && !hasPending(StunMessage.REFRESH)) {
            refresh(now, REQUESTED_LIFETIME);
        }
        Set<InetAddress> want = new TreeSet<>(java.util.Comparator.comparing(InetAddress::getHostAddress));
        want.addAll(wantedPeers);
        proxies.keySet().forEach(p -> want.add(p.getAddress()));
        if ((!want.equals(permitted) || now.isAfter(permissionsDue)) && !want.isEmpty()
                && !hasPending(StunMessage.CREATE_PERMISSION)) {
            createPermission(now, want);
        }
        for (Proxy p : new ArrayList<>(proxies.values())) {
            if (Duration.between(p.lastActive, now).compareTo(PROXY_IDLE) > 0) {
                log.info("relay " + server + ": proxy for " + p.peer + " idle, closed");
                p.local.close();
                proxies.remove(p.peer);
                byChannel.remove(p.channel);
                publish();
            } else if (now.isAfter(p.channelDue) && !hasPending(StunMessage.CHANNEL_BIND)) {
                channelBind(now, p);
            }
        }
    }

    private boolean hasPending(int method) {
        return pending.values().stream().anyMatch(p -> p.request.method() == method);
    }

    private void allocate(Instant now) throws IOException {
        // The same username while it is valid: coturn ties this socket's session to the first
        // username it saw, and answers a retry under another one (the TURN REST username carries
        // its expiry, so a fresh one differs every second) with 437 "Allocation mismatch", hiding
        // the real reason (442 refused, 401 wrong credentials) behind it.
        if (creds == null || (creds.expiry() != null && creds.expiry().isBefore(now.plusSeconds(60)))) {
            creds = credentials.get();
        }
        phase = "allocating";
        send(StunMessage.of(StunMessage.ALLOCATE, StunMessage.REQUEST, StunMessage.newTransactionId(),
                withAuth(List.of(StunMessage.udpTransport(), StunMessage.intAttr(StunMessage.LIFETIME, REQUESTED_LIFETIME)))),
                realm != null, "Allocate", now, answer -> {
                    relayed = answer.address(StunMessage.XOR_RELAYED_ADDRESS)
                            .orElseThrow(() -> new StunFormatException("Allocate answer without XOR-RELAYED-ADDRESS"));
                    mapped = answer.address(StunMessage.XOR_MAPPED_ADDRESS).orElse(null);
                    expires = clock.instant().plusSeconds(answer.integer(StunMessage.LIFETIME).orElse(REQUESTED_LIFETIME));
                    phase = "allocated";
                    error = "";
                    backoff.reset();
                    permitted = Set.of();
                    log.info("relay " + server + ": allocated " + relayed.getAddress().getHostAddress() + ":"
                            + relayed.getPort() + " (this node seen as " + mapped + ")");
                    publish();
                });
    }

    private void refresh(Instant now, int lifetime) throws IOException {
        send(StunMessage.of(StunMessage.REFRESH, StunMessage.REQUEST, StunMessage.newTransactionId(),
                withAuth(List.of(StunMessage.intAttr(StunMessage.LIFETIME, lifetime)))), true, "Refresh", now, answer -> {
                    expires = clock.instant().plusSeconds(answer.integer(StunMessage.LIFETIME).orElse(lifetime));
                    publish();
                });
    }

    private void createPermission(Instant now, Set<InetAddress> peers) throws IOException {
        List<Attribute> attrs = new ArrayList<>();
        byte[] txid = StunMessage.newTransactionId();
        for (InetAddress a : peers) {
            if (a.getClass() == relayed.getAddress().getClass()) {
                attrs.add(StunMessage.attr(StunMessage.XOR_PEER_ADDRESS, StunMessage.xorAddress(new InetSocketAddress(a, 0), txid)));
            }
        }
        if (attrs.isEmpty()) {
            permitted = peers;
            return;
        }
        Set<InetAddress> asked = Set.copyOf(peers);
        permitted = asked; // asked for: no second request for the same set while this one is out
        send(StunMessage.of(StunMessage.CREATE_PERMISSION, StunMessage.REQUEST, txid, withAuth(attrs)), true,
                "CreatePermission", now, answer -> {
                    permissionsDue = clock.instant().plus(PERMISSION_REFRESH);
                    publish();
                });
    }

    private void channelBind(Instant now, Proxy p) throws IOException {
        if (p.channel == 0) {
            p.channel = nextChannel++;
            if (nextChannel > ChannelData.LAST_CHANNEL) {
                nextChannel = ChannelData.FIRST_CHANNEL;
            }
        }
        byte[] txid = StunMessage.newTransactionId();
        p.channelDue = now.plus(CHANNEL_REFRESH); // not again before the answer or the refresh
        send(StunMessage.of(StunMessage.CHANNEL_BIND, StunMessage.REQUEST, txid,
                withAuth(List.of(StunMessage.channelAttr(p.channel),
                        StunMessage.attr(StunMessage.XOR_PEER_ADDRESS, StunMessage.xorAddress(p.peer, txid))))),
                true, "ChannelBind", now, answer -> byChannel.put(p.channel, p));
    }

    private List<Attribute> withAuth(List<Attribute> attrs) {
        if (realm == null) {
            return attrs;
        }
        List<Attribute> out = new ArrayList<>(attrs);
        out.add(StunMessage.attr(StunMessage.USERNAME, creds.username()));
        out.add(StunMessage.attr(StunMessage.REALM, realm));
        out.add(StunMessage.attr(StunMessage.NONCE, nonce));
        return out;
    }

    private void send(StunMessage request, boolean authenticated, String what, Instant now,
            java.util.function.Consumer<StunMessage> onAnswer) throws IOException {
        Pending p = new Pending(request, authenticated, what, onAnswer);
        pending.put(Arrays.toString(request.transactionId()), p);
        transmit(p, now);
    }

    private void transmit(Pending p, Instant now) throws IOException {
        byte[] bytes = p.authenticated && realm != null ? p.request.encode(creds.key(realm)) : p.request.encode();
        socket.write(ByteBuffer.wrap(bytes));
        p.retransmitAt = now.plus(RTO.multipliedBy(1L << p.tries));
        p.tries++;
    }

    private void readServer(ByteBuffer buffer) throws IOException {
        while (true) {
            buffer.clear();
            int n;
            try {
                n = socket.read(buffer);
            } catch (java.net.PortUnreachableException e) {
                fail("the relay " + server + " does not listen (port unreachable)");
                return;
            } catch (java.nio.channels.ClosedChannelException e) {
                throw e;
            } catch (IOException e) {
                // an ICMP error for the connected socket: host or network unreachable
                fail("the relay " + server + " cannot be reached (" + e.getMessage() + ")");
                return;
            }
            if (n <= 0) {
                return;
            }
            byte[] d = Arrays.copyOf(buffer.array(), n);
            try {
                if (ChannelData.looksLike(d, n)) {
                    ChannelData.Frame f = ChannelData.decode(d, n);
                    Proxy p = byChannel.get(f.channel());
                    if (p != null) {
                        deliver(p, f.data());
                    }
                } else {
                    handle(StunMessage.decode(d, n));
                }
            } catch (StunFormatException e) {
                log.debug("relay " + server + ": dropped a malformed datagram: " + e.getMessage());
            }
        }
    }

    private void handle(StunMessage m) throws IOException {
        Instant now = clock.instant();
        if (m.is(StunMessage.DATA, StunMessage.INDICATION)) {
            InetSocketAddress peer = m.address(StunMessage.XOR_PEER_ADDRESS).orElse(null);
            byte[] data = m.attribute(StunMessage.DATA_ATTR).orElse(null);
            if (peer != null && data != null && relayed != null) {
                deliver(proxy(peer, now), data);
            }
            return;
        }
        Pending p = pending.remove(Arrays.toString(m.transactionId()));
        if (p == null) {
            return; // an answer to a retransmission already answered, or a stranger's
        }
        if (m.messageClass() == StunMessage.SUCCESS) {
            p.onAnswer.accept(m);
            return;
        }
        StunMessage.ErrorCode code = m.errorCode().orElse(new StunMessage.ErrorCode(0, "error without ERROR-CODE"));
        if ((code.code() == 401 && !p.authenticated) || code.code() == 438) {
            // the challenge (or a stale nonce): answer it once with what the server asked for
            realm = m.text(StunMessage.REALM).orElse(realm);
            nonce = m.text(StunMessage.NONCE).orElse(nonce);
            if (realm == null || nonce == null) {
                fail(p.what + " refused with " + code + " without a realm and nonce");
                return;
            }
            if (creds == null || (creds.expiry() != null && creds.expiry().isBefore(now.plusSeconds(60)))) {
                creds = credentials.get();
            }
            List<Attribute> plain = p.request.attributes().stream().filter(a -> a.type() != StunMessage.USERNAME
                    && a.type() != StunMessage.REALM && a.type() != StunMessage.NONCE).toList();
            List<Attribute> again = new ArrayList<>(plain);
            again.add(StunMessage.attr(StunMessage.USERNAME, creds.username()));
            again.add(StunMessage.attr(StunMessage.REALM, realm));
            again.add(StunMessage.attr(StunMessage.NONCE, nonce));
            // XOR-PEER-ADDRESS is encoded with the transaction id: such a request keeps its id
            byte[] txid = p.request.attribute(StunMessage.XOR_PEER_ADDRESS).isPresent() ? p.request.transactionId()
                    : StunMessage.newTransactionId();
            send(StunMessage.of(p.request.method(), StunMessage.REQUEST, txid, again), true, p.what, now, p.onAnswer);
            return;
        }
        if (code.code() == 401) {
            fail(p.what + " refused: " + code + " (the relay does not accept these credentials)");
        } else if (p.request.method() == StunMessage.REFRESH && code.code() == 437) {
            relayed = null;
            fail("the allocation is gone (" + code + "); allocating again");
        } else {
            fail(p.what + " refused: " + code);
        }
    }

    private Proxy proxy(InetSocketAddress peer, Instant now) throws IOException {
        Proxy p = proxies.get(peer);
        if (p == null) {
            DatagramChannel local = DatagramChannel.open(StandardProtocolFamily.INET);
            local.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            local.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), wireGuardPort));
            local.configureBlocking(false);
            p = new Proxy(peer, local, now);
            local.register(selector, SelectionKey.OP_READ, p);
            proxies.put(peer, p);
            log.info("relay " + server + ": " + peer + " reached this node through the relay; proxied at "
                    + local.getLocalAddress());
            channelBind(now, p);
            publish();
        }
        return p;
    }

    private void deliver(Proxy p, byte[] data) throws IOException {
        p.lastActive = clock.instant();
        p.local.write(ByteBuffer.wrap(data));
    }

    private void readProxy(Proxy p, ByteBuffer buffer) throws IOException {
        while (true) {
            buffer.clear();
            int n;
            try {
                n = p.local.read(buffer);
            } catch (java.net.PortUnreachableException e) {
                return; // WireGuard's port closed for a moment (restart): the next packet retries
            }
            if (n <= 0) {
                return;
            }
            p.lastActive = clock.instant();
            byte[] frame;
            if (byChannel.get(p.channel) == p) {
                frame = ChannelData.encode(p.channel, buffer.array(), 0, n);
            } else {
                byte[] txid = StunMessage.newTransactionId();
                frame = StunMessage.of(StunMessage.SEND, StunMessage.INDICATION, txid,
                        List.of(StunMessage.attr(StunMessage.XOR_PEER_ADDRESS, StunMessage.xorAddress(p.peer, txid)),
                                StunMessage.attr(StunMessage.DATA_ATTR, Arrays.copyOf(buffer.array(), n)))).encode();
            }
            socket.write(ByteBuffer.wrap(frame));
        }
    }

    private void fail(String why) {
        if (!why.equals(error)) {
            log.warn("relay " + server + ": " + why);
        }
        error = why;
        phase = relayed == null ? "failed" : "allocated";
        if (relayed == null) {
            pending.clear();
            nextAttempt = clock.instant().plus(backoff.next());
            realm = null;
            nonce = null;
        }
        publish();
    }

    private void publish() {
        Map<InetSocketAddress, InetSocketAddress> p = new LinkedHashMap<>();
        for (Proxy x : proxies.values()) {
            try {
                p.put((InetSocketAddress) x.local.getLocalAddress(), x.peer);
            } catch (IOException e) {
                // closed meanwhile
            }
        }
        List<String> perms = permitted.stream().map(InetAddress::getHostAddress).sorted().toList();
        State s = new State(server.getAddress().getHostAddress() + ":" + server.getPort(), phase, relayed, mapped, expires,
                perms, p, error);
        if (!s.equals(state)) {
            state = s;
            changed.run();
        }
    }

    /** Releases the allocation (Refresh with lifetime 0, not waited for) and every proxy. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        selector.wakeup();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (relayed != null && realm != null) {
                StunMessage release = StunMessage.of(StunMessage.REFRESH, StunMessage.REQUEST, StunMessage.newTransactionId(),
                        withAuth(List.of(StunMessage.intAttr(StunMessage.LIFETIME, 0))));
                socket.write(ByteBuffer.wrap(release.encode(creds.key(realm))));
            }
        } catch (IOException | RuntimeException e) {
            // best effort: the server frees it at its lifetime anyway
        }
        for (Proxy p : proxies.values()) {
            try {
                p.local.close();
            } catch (IOException e) {
                // closing
            }
        }
        try {
            socket.close();
            selector.close();
        } catch (IOException e) {
            // closing
        }
    }
}
