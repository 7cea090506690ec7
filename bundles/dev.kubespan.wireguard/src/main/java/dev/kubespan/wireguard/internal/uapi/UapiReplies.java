package dev.kubespan.wireguard.internal.uapi;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DevicePeer;
import dev.kubespan.api.wireguard.DeviceState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.KeyFormatException;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.wireguard.internal.DeviceSnapshot;

/**
 * Parses UAPI replies (docs/wireguard.md §4.2, §4.4). A reply is {@code key=value} lines, then
 * {@code errno=<n>}, then a blank line. A non-zero errno becomes a {@link WireGuardException}
 * carrying |n|; anything that does not follow the format becomes one with errno 0 and a message
 * naming the line. Key values never appear in messages.
 */
public final class UapiReplies {
    private UapiReplies() {
    }

    /** Checks a {@code set=1} reply: returns normally only for {@code errno=0}. */
    public static void checkSet(String link, String reply) {
        List<String> lines = body(link, "set", reply);
        if (lines.size() != 1) {
            throw malformed(link, "set", lines.size(), "expected only an errno line, got " + lines.size() + " lines");
        }
        checkErrno(link, "set", lines, 1);
    }

    /** Parses a {@code get=1} reply into the device state (public key derived from the private key). */
    public static DeviceSnapshot parseGet(String link, String reply) {
        List<String> lines = body(link, "get", reply);
        checkErrno(link, "get", lines, lines.size());

        Key privateKey = null;
        int listenPort = 0;
        int fwmark = 0;
        List<DevicePeer> peers = new ArrayList<>();
        Map<Key, Key> psks = new HashMap<>();
        PeerBuilder peer = null;
        Set<Key> seen = new HashSet<>();
        for (int i = 0; i < lines.size() - 1; i++) {
            int lineNo = i + 1;
            String line = lines.get(i);
            int eq = line.indexOf('=');
            if (eq <= 0) {
                throw malformed(link, "get", lineNo, "no 'key=value' in '" + shorten(line) + "'");
            }
            String key = line.substring(0, eq);
            String value = line.substring(eq + 1);
            if (key.equals("public_key")) {
                if (peer != null) {
                    peer.finish(peers, psks);
                }
                peer = new PeerBuilder(key(link, lineNo, key, value));
                if (!seen.add(peer.publicKey)) {
                    throw malformed(link, "get", lineNo, "peer " + peer.publicKey.toBase64() + " appears twice");
                }
                continue;
            }
            if (peer == null) {
                switch (key) {
                case "private_key" -> privateKey = key(link, lineNo, key, value);
                case "listen_port" -> listenPort = (int) number(link, lineNo, key, value, 65535);
                case "fwmark" -> fwmark = (int) number(link, lineNo, key, value, 0xffffffffL);
                default -> {
                    // a key a newer daemon added: not ours to interpret
                }
                }
                continue;
            }
            switch (key) {
            case "preshared_key" -> peer.psk = key(link, lineNo, key, value);
            case "protocol_version" -> {
                if (!value.equals("1")) {
                    throw malformed(link, "get", lineNo, "protocol_version " + shorten(value) + " is not 1");
                }
            }
            case "endpoint" -> {
                try {
                    peer.endpoint = Endpoint.parse(value);
                } catch (IllegalArgumentException e) {
                    throw malformed(link, "get", lineNo, e.getMessage());
                }
            }
            case "last_handshake_time_sec" -> peer.handshakeSec = number(link, lineNo, key, value,
                    Instant.MAX.getEpochSecond());
            case "last_handshake_time_nsec" -> peer.handshakeNsec = number(link, lineNo, key, value, 999_999_999L);
            case "tx_bytes" -> peer.tx = number(link, lineNo, key, value, Long.MAX_VALUE);
            case "rx_bytes" -> peer.rx = number(link, lineNo, key, value, Long.MAX_VALUE);
            case "persistent_keepalive_interval" -> peer.keepalive = number(link, lineNo, key, value, 65535);
            case "allowed_ip" -> {
                try {
                    peer.allowed.add(IpPrefix.parse(value));
                } catch (IllegalArgumentException e) {
                    throw malformed(link, "get", lineNo, e.getMessage());
                }
            }
            case "private_key", "listen_port", "fwmark" ->
                throw malformed(link, "get", lineNo, "device key '" + key + "' after a peer section");
            default -> {
                // a peer key a newer daemon added
            }
            }
        }
        if (peer != null) {
            peer.finish(peers, psks);
        }
        Key publicKey = privateKey == null || privateKey.isZero() ? null : privateKey.publicKey();
        return new DeviceSnapshot(new DeviceState(link, publicKey, listenPort, fwmark, peers), privateKey, psks);
    }

    /** The key lines of a reply, with the terminating blank line checked and removed. */
    private static List<String> body(String link, String op, String reply) {
        if (reply == null || reply.isEmpty() || reply.equals("\n")) {
            throw new WireGuardException("UAPI " + op + " on " + link + ": empty reply", 0);
        }
        if (!reply.endsWith("\n\n")) {
            throw new WireGuardException("UAPI " + op + " on " + link + ": reply does not end with a blank line", 0);
        }
        String text = reply.substring(0, reply.length() - 2);
        if (text.isEmpty()) {
            throw new WireGuardException("UAPI " + op + " on " + link + ": reply has no errno line", 0);
        }
        List<String> lines = List.of(text.split("\n", -1));
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).isEmpty()) {
                throw malformed(link, op, i + 1, "blank line before the end of the reply");
            }
        }
        return lines;
    }

    private static void checkErrno(String link, String op, List<String> lines, int lineNo) {
        String last = lines.get(lines.size() - 1);
        if (!last.startsWith("errno=")) {
            throw malformed(link, op, lineNo, "reply does not end with an errno line");
        }
        String v = last.substring(6);
        if (!v.matches("-?\\d{1,9}")) {
            throw malformed(link, op, lineNo, "errno '" + shorten(v) + "' is not a number");
        }
        int errno = Math.abs(Integer.parseInt(v));
        if (errno != 0) {
            throw new WireGuardException("UAPI " + op + " on " + link + " failed: " + meaning(errno), errno);
        }
    }

    /** What wireguard-go means by an errno (docs/wireguard.md §4.4). */
    static String meaning(int errno) {
        return switch (errno) {
        case Errno.EIO -> "EIO (daemon failed to read or write the socket)";
        case Errno.EINVAL -> "EINVAL (invalid key or value)";
        case 55 -> "unexpected daemon error";
        case Errno.EPROTO -> "EPROTO (malformed line)";
        case Errno.EADDRINUSE -> "EADDRINUSE (listen port in use, or fwmark failed)";
        default -> Errno.name(errno);
        };
    }

    private static Key key(String link, int lineNo, String name, String value) {
        try {
            return Key.fromHex(value);
        } catch (KeyFormatException e) {
            throw malformed(link, "get", lineNo, name + ": " + e.getMessage());
        }
    }

    private static long number(String link, int lineNo, String name, String value, long max) {
        if (!isDigits(value)) {
            throw malformed(link, "get", lineNo, name + " '" + shorten(value) + "' is not a non-negative number");
        }
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || Long.compareUnsigned(n, max) > 0) {
            throw malformed(link, "get", lineNo, name + " " + value + " is out of range 0.." + Long.toUnsignedString(max));
        }
        return n;
    }

    // a get reply of 1000 peers has 7000 numbers: no regex per value
    private static boolean isDigits(String s) {
        if (s.isEmpty() || s.length() > 19) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static WireGuardException malformed(String link, String op, int lineNo, String what) {
        return new WireGuardException("malformed UAPI " + op + " reply from " + link + ", line " + lineNo + ": " + what,
                0);
    }

    private static String shorten(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }

    private static final class PeerBuilder {
        final Key publicKey;
        Key psk;
        Endpoint endpoint;
        long handshakeSec;
        long handshakeNsec;
        long tx;
        long rx;
        long keepalive;
        final List<IpPrefix> allowed = new ArrayList<>();

        PeerBuilder(Key publicKey) {
            this.publicKey = publicKey;
        }

        void finish(List<DevicePeer> peers, Map<Key, Key> psks) {
            boolean hasPsk = psk != null && !psk.isZero();
            if (hasPsk) {
                psks.put(publicKey, psk);
            }
            Instant handshake = handshakeSec == 0 && handshakeNsec == 0 ? null
                    : Instant.ofEpochSecond(handshakeSec, handshakeNsec);
            peers.add(new DevicePeer(publicKey, hasPsk, endpoint, handshake, rx, tx, Duration.ofSeconds(keepalive),
                    allowed));
        }
    }
}
