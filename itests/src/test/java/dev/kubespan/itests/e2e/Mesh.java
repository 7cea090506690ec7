package dev.kubespan.itests.e2e;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Waiting for mesh states through the shell, the way an operator would look. */
final class Mesh {
    private Mesh() {
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
