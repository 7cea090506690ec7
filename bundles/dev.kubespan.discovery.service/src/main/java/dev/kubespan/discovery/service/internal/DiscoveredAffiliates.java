package dev.kubespan.discovery.service.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import com.google.protobuf.ByteString;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.discovery.grpc.server.WatchResponse;

/**
 * What one discovery service told us, decrypted (docs/discovery-protocol.md §5.2): the first message of each Watch stream
 * replaces everything, later messages are deltas. The local node is ignored. Data that cannot
 * be decrypted or parsed is dropped with one rate-limited log line per affiliate and leaves every
 * other affiliate, and the last good version of the same affiliate, untouched. Thread-safe.
 */
public final class DiscoveredAffiliates {
    /** The server's own limit on affiliate IDs. */
    static final int MAX_ID_LENGTH = 256;

    /** Receives one line about dropped data, keyed for rate limiting. */
    public interface DropLog {
        void dropped(String key, String message);
    }

    private final String ownId;
    private final SealedPayloads payloads;
    private final DropLog drops;
    private final TreeMap<String, Affiliate> byId = new TreeMap<>();

    public DiscoveredAffiliates(String ownId, SealedPayloads payloads, DropLog drops) {
        this.ownId = ownId;
        this.payloads = payloads;
        this.drops = drops;
    }

    /** Applies one Watch message; {@code first} marks the snapshot that opens a stream. */
    public synchronized void apply(WatchResponse msg, boolean first) {
        if (first) {
            byId.clear();
        }
        for (var a : msg.getAffiliatesList()) {
            String id = a.getId();
            if (!validId(id)) {
                drops.dropped("invalid-id", "dropped an affiliate with an invalid ID (" + describeId(id) + ")");
                continue;
            }
            if (id.equals(ownId)) {
                continue;
            }
            if (msg.getDeleted()) {
                byId.remove(id);
                continue;
            }
            // Exists server-side only because someone reported endpoints for it: nothing to show yet.
            if (a.getData().isEmpty()) {
                continue;
            }
            List<byte[]> blobs = new ArrayList<>(a.getEndpointsCount());
            for (ByteString b : a.getEndpointsList()) {
                blobs.add(b.toByteArray());
            }
            List<String> problems = new ArrayList<>();
            try {
                byId.put(id, payloads.open(id, a.getData().toByteArray(), blobs, problems::add));
                if (!problems.isEmpty()) {
                    drops.dropped(id + "/partial", "affiliate " + id + ": " + String.join("; ", problems));
                }
            } catch (PayloadException e) {
                drops.dropped(id, "dropped affiliate " + id + ": " + e.getMessage());
            }
        }
    }

    public synchronized SortedMap<String, Affiliate> snapshot() {
        return Collections.unmodifiableSortedMap(new TreeMap<>(byId));
    }

    public synchronized int size() {
        return byId.size();
    }

    /** Forgets everything; returns whether there was anything. */
    public synchronized boolean clear() {
        boolean had = !byId.isEmpty();
        byId.clear();
        return had;
    }

    /** Printable ASCII without spaces, as long as the server allows: safe in resource IDs and logs. */
    static boolean validId(String id) {
        if (id.isEmpty() || id.length() > MAX_ID_LENGTH) {
            return false;
        }
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (c <= ' ' || c > '~') {
                return false;
            }
        }
        return true;
    }

    private static String describeId(String id) {
        return id.isEmpty() ? "empty" : id.length() + " characters";
    }
}
