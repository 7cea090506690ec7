package dev.kubespan.itests.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Waiting for mesh states through the shell, the way an operator would look. */
final class Mesh {
    private Mesh() {
    }

    /** What a probe saw: whether the wait is over, and what to report if it never is. */
    record Seen(boolean done, String what) {
        static Seen of(boolean done, Object what) {
            return new Seen(done, String.valueOf(what));
        }
    }

    /** Polls {@code probe} until it is done; fails with the last thing it saw. A probe that throws is retried. */
    static void await(String goal, Duration timeout, java.util.function.Supplier<Seen> probe)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "nothing";
        while (true) {
            try {
                Seen s = probe.get();
                if (s.done()) {
                    return;
                }
                last = s.what();
            } catch (AssertionError | RuntimeException e) {
                last = e.getMessage();
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + timeout.toSeconds() + " s: " + goal + "; last seen: "
                        + last);
            }
            Thread.sleep(500);
        }
    }

    /** The config documents most scenarios add: this agent's timing settings. */
    static String agentConfig(String reconcileInterval, String downInterval, String connectionTimeout) {
        return "apiVersion: v1alpha1\nkind: KubeSpanAgentConfig\npeerReconcileInterval: " + reconcileInterval
                + "\npeerDownInterval: " + downInterval + "\nendpointConnectionTimeout: " + connectionTimeout + "\n";
    }

    /** A KubeSpanConfig document, enabled, with extra lines (YAML at the document's top level). */
    static String kubeSpanConfig(String... lines) {
        StringBuilder b = new StringBuilder("apiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\n");
        for (String l : lines) {
            b.append(l).append('\n');
        }
        return b.toString();
    }

    /** ping6 between the KubeSpan addresses of every ordered pair (from, to) given. */
    static void assertPings(MeshLab lab, List<String> from, List<String> to) {
        for (String f : from) {
            for (String t : to) {
                if (!f.equals(t)) {
                    String addr = lab.kubespanAddress(t);
                    MeshLab.Result ping = lab.inNode(f, Duration.ofSeconds(20), "ping", "-6", "-c", "3", "-W", "2", addr);
                    if (ping.exit() != 0) {
                        throw new AssertionError(f + " -> " + t + " (" + addr + ") ping failed:\n" + ping.output());
                    }
                }
            }
        }
    }

    static void awaitFullMesh(MeshLab lab, List<String> nodes, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "";
        while (System.nanoTime() < deadline) {
            boolean all = true;
            StringBuilder seen = new StringBuilder();
            for (String n : nodes) {
                Map<String, String> s = statesOrNone(lab, n);
                seen.append(n).append(s).append(' ');
                long up = nodes.stream().filter(o -> !o.equals(n)).filter(o -> "up".equals(s.get(o))).count();
                all &= up == nodes.size() - 1;
            }
            last = seen.toString();
            if (all) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no full mesh after " + timeout.toSeconds() + " s; last seen: " + last);
    }

    private static Map<String, String> statesOrNone(MeshLab lab, String node) {
        try {
            return lab.peerStates(node);
        } catch (AssertionError notReady) {
            return Map.of();
        }
    }

    static void awaitState(MeshLab lab, String node, String peer, String state, Duration timeout)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Map<String, String> s = Map.of();
        while (System.nanoTime() < deadline) {
            s = lab.peerStates(node);
            if (state.equals(s.get(peer))) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError(node + " never saw " + peer + " " + state + " within " + timeout.toSeconds()
                + " s; last: " + s);
    }
}
