package dev.kubespan.web.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The last hour of every peer's traffic and state, sampled from the peer statuses at a fixed
 * interval into primitive ring buffers (a few KiB per peer), so the page can draw its charts
 * straight after it opens. Thread-safe: one writer (the sampler), any number of readers.
 */
final class TrafficHistory {
    static final byte MISSING = -1;
    private final int capacity;
    private final long[] times;
    private final Map<String, Series> series = new TreeMap<>();
    /** Index of the next slot to write; {@code count} slots are filled. */
    private int next;
    private int count;

    private static final class Series {
        final long[] rx;
        final long[] tx;
        final byte[] state;

        Series(int n) {
            rx = new long[n];
            tx = new long[n];
            state = new byte[n];
            Arrays.fill(state, MISSING);
        }
    }

    record Rate(Double receive, Double transmit) {
    }

    /** Rates by peer name between the last two samples. */
    record Rates(Map<String, Rate> byName) {
        Rate of(String name) {
            return byName.get(name);
        }
    }

    TrafficHistory(int capacity) {
        this.capacity = capacity;
        this.times = new long[capacity];
    }

    static byte stateCode(String state) {
        return switch (state) {
            case "up" -> 1;
            case "down" -> 0;
            default -> 2;
        };
    }

    synchronized void record(long epochMillis, List<MeshView.PeerSample> samples) {
        int slot = next;
        times[slot] = epochMillis;
        for (Series s : series.values()) {
            s.state[slot] = MISSING;
        }
        for (MeshView.PeerSample p : samples) {
            Series s = series.computeIfAbsent(p.name(), k -> new Series(capacity));
            s.rx[slot] = p.receiveBytes();
            s.tx[slot] = p.transmitBytes();
            s.state[slot] = stateCode(p.state());
        }
        next = (slot + 1) % capacity;
        count = Math.min(count + 1, capacity);
        // A peer gone for the whole window leaves no series behind.
        series.values().removeIf(s -> {
            for (byte b : s.state) {
                if (b != MISSING) {
                    return false;
                }
            }
            return true;
        });
    }

    private int slot(int i) {
        return Math.floorMod(next - count + i, capacity);
    }

    /** Bytes per second between two samples of one series, or null (a gap, or a counter reset). */
    private Double rate(long[] v, byte[] state, int a, int b) {
        if (state[a] == MISSING || state[b] == MISSING || v[b] < v[a] || times[b] <= times[a]) {
            return null;
        }
        return (v[b] - v[a]) * 1000.0 / (times[b] - times[a]);
    }

    synchronized Rates rates() {
        Map<String, Rate> out = new HashMap<>();
        if (count >= 2) {
            int a = slot(count - 2);
            int b = slot(count - 1);
            series.forEach((name, s) -> out.put(name, new Rate(rate(s.rx, s.state, a, b), rate(s.tx, s.state, a, b))));
        }
        return new Rates(out);
    }

    /**
     * The model of {@code /api/history}: sample times (Unix seconds) and per peer the receive and
     * transmit rates (bytes/s, null where unknown) and states (1 up, 0 down, 2 unknown, null absent).
     */
    synchronized Map<String, Object> toModel(long intervalMillis) {
        List<Double> t = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            t.add(times[slot(i)] / 1000.0);
        }
        Map<String, Object> peers = new LinkedHashMap<>();
        series.forEach((name, s) -> {
            List<Double> rx = new ArrayList<>(count);
            List<Double> tx = new ArrayList<>(count);
            List<Integer> st = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                int b = slot(i);
                rx.add(i == 0 ? null : rate(s.rx, s.state, slot(i - 1), b));
                tx.add(i == 0 ? null : rate(s.tx, s.state, slot(i - 1), b));
                st.add(s.state[b] == MISSING ? null : (int) s.state[b]);
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("receiveBytesPerSecond", rx);
            m.put("transmitBytesPerSecond", tx);
            m.put("state", st);
            peers.put(name, m);
        });
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("intervalSeconds", intervalMillis / 1000.0);
        out.put("times", t);
        out.put("peers", peers);
        return out;
    }
}
