package dev.kubespan.nat.internal;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import dev.kubespan.api.Log;
import dev.kubespan.api.wireguard.WireGuardPort;
import dev.kubespan.nat.internal.stun.StunFormatException;
import dev.kubespan.nat.internal.stun.StunMessage;

/**
 * Everything this bundle sends from, and hears at, the WireGuard port: STUN binding requests to
 * STUN servers (this node's public mapping), and the path probes between peers — a binding request
 * whose USERNAME is {@code kubespan:<sender public key>} and whose MESSAGE-INTEGRITY is keyed with
 * a key derived from the cluster secret, so only a member of the cluster can make or answer one.
 * A probe is answered at once, from the same port, with a binding success naming where it came
 * from. Answers are matched to requests by transaction id; anything else (a stranger's STUN, a
 * probe with a wrong key, garbage) is dropped, counted, and logged at debug.
 */
final class PortProbes implements AutoCloseable {
    static final String PROBE_USER = "kubespan:";

    /** A probe heard from a peer, or a probe of ours that was answered. */
    record Heard(String peerKey, InetSocketAddress from, Instant at, Duration rtt, boolean answer) {
    }

    private final WireGuardPort port;
    private final Log log;
    private final Clock clock;
    private final Map<String, Consumer<StunMessage>> pending = new ConcurrentHashMap<>();
    private final Map<String, Instant> sentAt = new ConcurrentHashMap<>();
    private volatile WireGuardPort.Share share;
    private volatile byte[] probeKey;
    private volatile String ownKey = "";
    private volatile Consumer<Heard> onHeard = h -> {
    };
    private volatile long dropped;

    PortProbes(WireGuardPort port, Log log, Clock clock) {
        this.port = port;
        this.log = log;
        this.clock = clock;
    }

    void onHeard(Consumer<Heard> listener) {
        this.onHeard = listener;
    }

    /** Shares {@code listenPort} (again, when it changed). */
    synchronized void open(int listenPort) {
        if (share != null && share.port() == listenPort) {
            return;
        }
        close();
        share = port.open(listenPort, this::received);
    }

    boolean isOpen() {
        return share != null;
    }

    /** The cluster's probe key and this node's public key (base64); probes are off without them. */
    void identity(String clusterSecret, String ownPublicKey) {
        this.probeKey = clusterSecret.isEmpty() ? null : deriveKey(clusterSecret);
        this.ownKey = ownPublicKey;
    }

    static byte[] deriveKey(String clusterSecret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(Base64.getDecoder().decode(clusterSecret), "HmacSHA256"));
            return mac.doFinal("kubespan path probe v1".getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot derive the probe key from the cluster secret", e);
        }
    }

    /** A binding request to a STUN server; {@code answer} gets the success or error response. */
    void bind(InetSocketAddress server, Consumer<StunMessage> answer) {
        byte[] txid = StunMessage.newTransactionId();
        pending.put(key(txid), answer);
        send(server, StunMessage.of(StunMessage.BINDING, StunMessage.REQUEST, txid, List.of()).encode(), 0);
    }

    /** A path probe to a peer's candidate. */
    void probe(InetSocketAddress candidate) {
        byte[] k = probeKey;
        if (k == null) {
            return;
        }
        byte[] txid = StunMessage.newTransactionId();
        sentAt.put(key(txid), clock.instant());
        send(candidate, StunMessage.of(StunMessage.BINDING, StunMessage.REQUEST, txid,
                List.of(StunMessage.attr(StunMessage.USERNAME, PROBE_USER + ownKey))).encode(k), 0);
    }

    /**
     * A datagram that opens this node's NAT toward {@code candidate} without reaching the far end's
     * NAT (its hop limit runs out on the way): afterwards the peer's probe finds the way open.
     */
    void punch(InetSocketAddress candidate, int hopLimit) {
        byte[] txid = StunMessage.newTransactionId();
        send(candidate, StunMessage.of(StunMessage.BINDING, StunMessage.INDICATION, txid, List.of()).encode(), hopLimit);
    }

    private void send(InetSocketAddress to, byte[] datagram, int hops) {
        WireGuardPort.Share s = share;
        if (s == null) {
            return;
        }
        try {
            s.send(to, datagram, hops);
        } catch (RuntimeException e) {
            log.debug("nat: cannot send to " + to + ": " + e.getMessage());
        }
    }

    private void received(InetSocketAddress from, byte[] datagram) {
        StunMessage m;
        try {
            m = StunMessage.decode(datagram);
        } catch (StunFormatException e) {
            dropped++;
            log.debug("nat: dropped a malformed STUN datagram from " + from + ": " + e.getMessage());
            return;
        }
        if (m.method() != StunMessage.BINDING) {
            dropped++;
            return;
        }
        String tx = key(m.transactionId());
        Consumer<StunMessage> answer = pending.remove(tx);
        if (answer != null && m.messageClass() != StunMessage.REQUEST) {
            answer.accept(m);
            return;
        }
        byte[] k = probeKey;
        String user = m.text(StunMessage.USERNAME).orElse("");
        if (k == null || !user.startsWith(PROBE_USER) || !m.integrityMatches(k)) {
            if (m.messageClass() != StunMessage.INDICATION) {
                dropped++;
                log.debug("nat: dropped an unauthenticated STUN message from " + from);
            }
            return;
        }
        String peer = user.substring(PROBE_USER.length());
        Instant now = clock.instant();
        if (m.messageClass() == StunMessage.REQUEST) {
            byte[] txid = m.transactionId();
            send(from, StunMessage.of(StunMessage.BINDING, StunMessage.SUCCESS, txid,
                    List.of(StunMessage.attr(StunMessage.XOR_MAPPED_ADDRESS, StunMessage.xorAddress(from, txid)),
                            StunMessage.attr(StunMessage.USERNAME, PROBE_USER + ownKey))).encode(k), 0);
            onHeard.accept(new Heard(peer, from, now, Duration.ZERO, false));
        } else if (m.messageClass() == StunMessage.SUCCESS) {
            Instant sent = sentAt.remove(tx);
            if (sent != null) {
                onHeard.accept(new Heard(peer, from, now, Duration.between(sent, now), true));
            }
        }
    }

    /** Forgets requests nobody answered (called now and then). */
    void expire(Duration olderThan) {
        Instant limit = clock.instant().minus(olderThan);
        sentAt.values().removeIf(t -> t.isBefore(limit));
        if (pending.size() > 1000) {
            pending.clear();
        }
    }

    long dropped() {
        return dropped;
    }

    private static String key(byte[] txid) {
        return Arrays.toString(txid);
    }

    @Override
    public synchronized void close() {
        if (share != null) {
            share.close();
            share = null;
        }
    }

    static List<InetSocketAddress> parse(List<String> hostPorts, Log log) {
        List<InetSocketAddress> out = new ArrayList<>();
        for (String hp : hostPorts) {
            try {
                int colon = hp.lastIndexOf(':');
                String host = dev.kubespan.api.spec.NatConfig.host(hp);
                out.add(new InetSocketAddress(java.net.InetAddress.getByName(host), Integer.parseInt(hp.substring(colon + 1))));
            } catch (java.io.IOException | RuntimeException e) {
                log.warn("nat: cannot use server " + hp + ": " + e.getMessage());
            }
        }
        return out;
    }
}
