package dev.kubespan.itests.e2e;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

/**
 * Hot update: every one of our bundles is updated on a running node through its shell
 * ({@code update <id>}, one after another, then {@code refresh}) while a continuous ping6 crosses
 * the tunnel to it. At most a few packets are lost; the identity, the wireguard-go process and the
 * mesh survive.
 */
public class HotUpdateE2EIT {
    static final List<String> NODES = List.of("node1", "node2", "node3");
    static final int MAX_LOST = 5;
    private static final Pattern BUNDLE_LINE = Pattern.compile("^\\s*(\\d+)\\|(\\w+)\\s*\\|\\s*\\d+\\|([^ |]+)");
    private MeshLab lab;

    @Before
    public void setUp() throws Exception {
        lab = new MeshLab("hotupdate");
        lab.startDiscovery();
    }

    @After
    public void tearDown() {
        lab.close();
    }

    @Test
    public void updatingEveryBundleKeepsTheTunnelAndTheIdentity() throws Exception {
        String agent = Mesh.agentConfig("5s", "4m35s", "15s");
        for (int i = 0; i < NODES.size(); i++) {
            lab.config(NODES.get(i), Mesh.kubeSpanConfig(), agent);
            lab.start(NODES.get(i), i + 1);
        }
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(2));
        MeshLab.Identity identity = lab.identity("node2");
        long wgPid = lab.wireguardPid("node2");
        long agentPid = lab.agentPid("node2");
        Map<String, String> ours = ourBundles("node2");
        assertTrue("our bundles on node2: " + ours, ours.size() >= 10);

        MeshLab.Background ping = lab.background("node1", "hotupdate-ping", "ping", "-6", "-i", "0.2",
                identity.address());
        Thread.sleep(2000); // some replies before the first update
        for (Map.Entry<String, String> b : ours.entrySet()) {
            MeshLab.Result r = lab.tryShell("node2", "update " + b.getKey());
            assertEquals("update " + b.getKey() + " (" + b.getValue() + "):\n" + r.output(), 0, r.exit());
        }
        // Felix's `refresh` without arguments fails in gogo.command 1.1.2 (Arrays.asList(null)),
        // so the bundles are named. The refresh is asynchronous and restarts the shell bundle too,
        // which may close this very connection: its outcome is checked below, not its output.
        MeshLab.Result refresh = lab.tryShell("node2", "refresh " + String.join(" ", ours.keySet()));
        Mesh.await("every bundle on node2 active again after the refresh", Duration.ofSeconds(60), () -> {
            Map<String, String> states = ourBundles("node2");
            return Mesh.Seen.of(states.size() == ours.size() && states.values().stream().allMatch(v -> v.endsWith(" Active")),
                    states + " (refresh said: " + refresh.output().strip() + ")");
        });
        Mesh.awaitFullMesh(lab, NODES, Duration.ofMinutes(1));
        Thread.sleep(2000); // replies after the last restart
        String out = ping.interrupt();
        int[] counts = DiscoveryOutageE2EIT.pingCounts(out);
        int lost = counts[0] - counts[1];
        Figures.record("ping6 loss across updating all " + ours.size() + " bundles + refresh (0.2 s interval)",
                lost + " / " + counts[0]);
        assertTrue("lost " + lost + " of " + counts[0] + ":\n" + tail(out), lost <= MAX_LOST);

        assertEquals("identity after the updates", identity, lab.identity("node2"));
        assertEquals("same wireguard-go process", wgPid, lab.wireguardPid("node2"));
        assertEquals("same agent process (no restart)", agentPid, lab.agentPid("node2"));
        Mesh.assertPings(lab, List.of("node1", "node3"), List.of("node2"));
        Mesh.assertPings(lab, List.of("node2"), List.of("node1", "node3"));
    }

    /** Our bundles by ID, as "symbolic-name State", from {@code lb -s}. */
    private Map<String, String> ourBundles(String node) {
        Map<String, String> ids = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>(lab.shell(node, "lb -s").lines().toList());
        for (String l : lines) {
            Matcher m = BUNDLE_LINE.matcher(l);
            if (m.find() && m.group(3).startsWith("dev.kubespan.")) {
                ids.put(m.group(1), m.group(3) + " " + m.group(2));
            }
        }
        return ids;
    }

    private static String tail(String s) {
        List<String> l = s.lines().toList();
        return String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
    }
}
