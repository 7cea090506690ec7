package dev.kubespan.discovery.server.internal.state.etcd;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import com.google.protobuf.ByteString;

import dev.kubespan.discovery.server.internal.state.Blob;

/**
 * Where the discovery state lives in etcd, under one prefix {@code P} (default
 * {@code /kubespan-discovery/}):
 * <pre>
 * P a/&lt;cluster&gt;/&lt;affiliate&gt;              the affiliate: its data; its lease = its expiration
 * P e/&lt;cluster&gt;/&lt;affiliate&gt;/&lt;endpoint hex&gt; one endpoint (empty value); its lease = its expiration
 * P c/&lt;cluster&gt;                          cluster marker: counts the cluster for the cluster cap
 * </pre>
 * IDs are percent-escaped (anything but {@code A-Z a-z 0-9 - _ . ~ + =}), so a {@code /} in an
 * ID never splits a key, and all affiliates, all endpoints of an affiliate and all markers are
 * each one contiguous key range.
 */
final class EtcdKeys {
    enum Kind {
        AFFILIATE, ENDPOINT, MARKER
    }

    /** A key taken apart; {@code endpoint} only for ENDPOINT keys. */
    record Parsed(Kind kind, String clusterId, String affiliateId, Blob endpoint) {
    }

    private final String prefix;

    EtcdKeys(String prefix) {
        this.prefix = prefix;
    }

    String prefix() {
        return prefix;
    }

    ByteString all() {
        return utf8(prefix);
    }

    ByteString affiliate(String clusterId, String affiliateId) {
        return utf8(prefix + "a/" + escape(clusterId) + "/" + escape(affiliateId));
    }

    ByteString affiliates() {
        return utf8(prefix + "a/");
    }

    ByteString affiliatesOf(String clusterId) {
        return utf8(prefix + "a/" + escape(clusterId) + "/");
    }

    ByteString endpointsOf(String clusterId, String affiliateId) {
        return utf8(prefix + "e/" + escape(clusterId) + "/" + escape(affiliateId) + "/");
    }

    ByteString endpoint(String clusterId, String affiliateId, Blob endpoint) {
        return utf8(prefix + "e/" + escape(clusterId) + "/" + escape(affiliateId) + "/"
                + HexFormat.of().formatHex(endpoint.unsafeBytes()));
    }

    ByteString marker(String clusterId) {
        return utf8(prefix + "c/" + escape(clusterId));
    }

    ByteString markers() {
        return utf8(prefix + "c/");
    }

    /** The end of the range of every key starting with {@code prefix} (etcd's "prefix + 1"). */
    static ByteString rangeEnd(ByteString prefix) {
        byte[] b = prefix.toByteArray();
        for (int i = b.length - 1; i >= 0; i--) {
            if (b[i] != (byte) 0xff) {
                b[i]++;
                return ByteString.copyFrom(b, 0, i + 1);
            }
        }
        return ByteString.copyFrom(new byte[] {0});
    }

    /** Null for a key that is not ours or does not parse (left alone). */
    Parsed parse(ByteString key) {
        String k = key.toStringUtf8();
        if (!k.startsWith(prefix) || k.length() < prefix.length() + 2) {
            return null;
        }
        String rest = k.substring(prefix.length() + 2);
        String[] parts = rest.split("/", -1);
        try {
            switch (k.charAt(prefix.length())) {
                case 'a':
                    return parts.length == 2 ? new Parsed(Kind.AFFILIATE, unescape(parts[0]), unescape(parts[1]), null)
                            : null;
                case 'e':
                    return parts.length == 3 ? new Parsed(Kind.ENDPOINT, unescape(parts[0]), unescape(parts[1]),
                            Blob.wrap(HexFormat.of().parseHex(parts[2]))) : null;
                case 'c':
                    return parts.length == 1 ? new Parsed(Kind.MARKER, unescape(parts[0]), null, null) : null;
                default:
                    return null;
            }
        } catch (IllegalArgumentException malformed) {
            return null;
        }
    }

    static String escape(String id) {
        StringBuilder sb = new StringBuilder(id.length() + 8);
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'
                    || c == '.' || c == '~' || c == '+' || c == '=') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return sb.toString();
    }

    static String unescape(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= s.length()) {
                    throw new IllegalArgumentException("truncated escape");
                }
                out.write(HexFormat.fromHexDigits(s, i + 1, i + 3));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static ByteString utf8(String s) {
        return ByteString.copyFromUtf8(s);
    }
}
