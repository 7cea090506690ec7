package dev.kubespan.itests.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.kubespan.test.ProcessSample;

/**
 * The end-to-end lab, driven through {@code scripts/lib/mesh.sh} (the same script the demo
 * uses): real distributions in their own network namespaces, a real standalone discovery
 * server, real wireguard-go. The test JVM runs in private namespaces (itests' isolated-java),
 * so whatever the lab leaves behind disappears with it.
 */
final class MeshLab implements AutoCloseable {
    private final Path script;
    private final Path dist;
    private final Path work;
    private final String name;
    private final List<String> started = new ArrayList<>();

    MeshLab(String name) throws IOException {
        this(name, null);
    }

    /** A lab whose nodes use {@code discoveryUrl} (null: the lab's own discovery server). */
    MeshLab(String name, String discoveryUrl) throws IOException {
        Path root = Path.of(System.getProperty("kubespan.itest.root"));
        this.script = root.resolve("scripts/lib/mesh.sh");
        this.etcdScript = root.resolve("scripts/lib/etcd.sh");
        this.dist = Path.of(System.getProperty("kubespan.itest.dist"));
        this.name = name;
        this.work = Path.of(System.getProperty("kubespan.itest.workdir"), "e2e-" + name);
        deleteTree(work);
        Files.createDirectories(work);
        mesh("lab-up", work.toString());
        if (discoveryUrl == null) {
            mesh("cluster-config", work.toString(), dist.toString());
        } else {
            mesh("cluster-config", work.toString(), dist.toString(), discoveryUrl);
        }
    }

    // --- discovery replicas on etcd (scripts/lib/etcd.sh, members on the lab's bridge at 10.99.0.231..) ---

    private final Path etcdScript;

    private Result etcd(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "ETCD_NET=10.99.0", "ETCD_BASE=230", etcdScript.toString()));
        cmd.addAll(List.of(args));
        Result r = exec(cmd, Duration.ofMinutes(2));
        if (r.exit != 0) {
            throw new AssertionError("etcd.sh " + String.join(" ", args) + " failed (" + r.exit + "):\n" + r.output);
        }
        return r;
    }

    /** Starts an etcd cluster of {@code members} on the lab's bridge; returns its client URLs. */
    String startEtcd(int members) {
        etcd("up", work.toString(), String.valueOf(members), "ks-br");
        return etcd("endpoints", String.valueOf(members)).output().trim();
    }

    void killEtcd() {
        etcd("stop-all", work.toString());
    }

    void restartEtcd() {
        etcd("start-all", work.toString());
    }

    /** Discovery replica {@code index} (1..9) at 10.99.0.(240+index):3000, state in etcd. */
    void startReplica(int index, String etcdUrls) {
        mesh("replica-start", work.toString(), dist.toString(), String.valueOf(index), etcdUrls);
    }

    void killReplica(int index) {
        mesh("replica-kill", work.toString(), String.valueOf(index));
    }

    /** The replica's Prometheus text. */
    String replicaMetrics(int index) {
        return mesh("replica-metrics", work.toString(), String.valueOf(index));
    }

    Path work() {
        return work;
    }

    Path home(String node) {
        return work.resolve(node);
    }

    void startDiscovery() {
        mesh("discovery-start", work.toString(), dist.toString());
    }

    void stopDiscovery() {
        mesh("discovery-stop", work.toString());
    }

    /**
     * Sends the discovery server {@code signal} (TERM, KILL) and waits for its exit; its host stays
     * (unlike {@link #stopDiscovery}), so {@link #startDiscovery} starts it again at the same
     * address and link (no neighbour cache of the clients points at a gone link), on its snapshot.
     */
    void killDiscovery(String signal) {
        mesh("discovery-kill", work.toString(), signal);
    }

    /** The discovery server's Prometheus text. */
    String discoveryMetrics() {
        return mesh("discovery-metrics", work.toString());
    }

    /** The discovery server's pid. */
    long discoveryPid() throws IOException {
        return Long.parseLong(Files.readString(work.resolve("discovery/pid")).trim());
    }

    Path dist() {
        return dist;
    }

    /** The node's installation (its home, with etc/kubespan.yaml), not started. */
    Path prepareHome(String node) {
        mesh("node-home", work.toString(), dist.toString(), node);
        return home(node);
    }

    /**
     * Starts the node's agent and returns at once, without waiting for its shell: the launcher
     * runs under {@code wrap} (a command and its arguments, e.g. strace injecting a fault; empty:
     * none). {@link #kill} ends whatever is left of it.
     */
    void launch(String node, int index, String wrap) {
        List<String> cmd = new ArrayList<>(List.of("env", "KS_NO_WAIT=1", "KS_AGENT_WRAP=" + wrap, script.toString(),
                "node-start", work.toString(), dist.toString(), node, String.valueOf(index)));
        Result r = exec(cmd, Duration.ofMinutes(1));
        if (r.exit != 0) {
            throw new AssertionError("mesh.sh node-start " + node + " failed (" + r.exit + "):\n" + r.output);
        }
        if (!started.contains(node)) {
            started.add(node);
        }
    }

    /** Whether any process runs in the node's network namespace. */
    boolean running(String node) {
        return !exec(List.of("ip", "netns", "pids", "ks-" + node), Duration.ofSeconds(10)).output().isBlank();
    }

    /** Puts this JVM's own namespace on the lab bridge (10.99.0.250), for a scraper or a browser. */
    void observerUp() {
        mesh("observer-up", work.toString());
    }

    /** A file the node finds in its etc/ at first start (e.g. {@code org.apache.felix.http.cfg}). */
    void etcFile(String node, String name, String content) throws IOException {
        Path dir = work.resolve(node + ".etc");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name), content);
    }

    /** The distribution's {@code bin/kubespan ARGS}, with {@code stdin} as its input. */
    String launcher(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(dist.resolve("bin/kubespan").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("bin/kubespan " + String.join(" ", args) + " failed:\n" + out);
        }
        return out.trim();
    }

    /** The secrets a node must never show: its WireGuard private key and the cluster secret. */
    List<String> secrets(String node) throws IOException {
        List<String> out = new ArrayList<>();
        Matcher key = Pattern.compile("privateKey: *\"?([A-Za-z0-9+/=]{40,})")
                .matcher(Files.readString(home(node).resolve("data/state/kubespan-identity.yaml")));
        if (!key.find()) {
            throw new AssertionError(node + ": no private key in its state file");
        }
        out.add(key.group(1));
        Matcher secret = Pattern.compile("clusterSecret: *(\\S+)").matcher(Files.readString(work.resolve("cluster.yaml")));
        if (!secret.find()) {
            throw new AssertionError("no clusterSecret in cluster.yaml");
        }
        out.add(secret.group(1));
        return out;
    }

    /** YAML documents appended to the node's etc/kubespan.yaml before its first start. */
    void extraConfig(String node, String yaml) throws IOException {
        Files.writeString(work.resolve(node + ".extra.yaml"), yaml);
    }

    /**
     * The node's whole etc/kubespan.yaml for its first start: the cluster's identity and discovery
     * documents, then {@code docs} (which replace the generated {@code KubeSpanConfig}).
     */
    void config(String node, String... docs) throws IOException {
        Files.writeString(work.resolve(node + ".yaml"), clusterConfig(docs));
    }

    /** Replaces a running node's etc/kubespan.yaml at once (rename), as an editor saving it would. */
    void editConfig(String node, String... docs) throws IOException {
        Path file = home(node).resolve("etc/kubespan.yaml");
        Path tmp = file.resolveSibling(".kubespan.yaml.edit");
        Files.writeString(tmp, clusterConfig(docs));
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    private String clusterConfig(String... docs) throws IOException {
        StringBuilder out = new StringBuilder();
        for (String doc : Files.readString(work.resolve("cluster.yaml")).split("(?m)^---\\s*$")) {
            if (!doc.contains("kind: KubeSpanConfig") && doc.contains("kind:")) {
                out.append("---").append(doc.endsWith("\n") ? doc : doc + "\n");
            }
        }
        for (String doc : docs) {
            out.append("---\n").append(doc.endsWith("\n") ? doc : doc + "\n");
        }
        return out.toString();
    }

    /** The cluster ID all nodes share. */
    String clusterId() throws IOException {
        Matcher m = Pattern.compile("clusterID: *(\\S+)").matcher(Files.readString(work.resolve("cluster.yaml")));
        if (!m.find()) {
            throw new AssertionError("no clusterID in cluster.yaml");
        }
        return m.group(1);
    }

    // ---- the NAT lab (scripts/lib/mesh.sh: nat-up, edge-net, relay-start, ...) ----

    /** Makes the bridge's namespace the internet's router, for edges behind NAT routers. */
    void natUp() {
        mesh("nat-up", work.toString());
    }

    /** A router of {@code flavour} (home, hard, symmetric) and the node's namespace behind it. */
    void edge(String node, int index, String flavour) {
        mesh("edge-net", work.toString(), node, String.valueOf(index), flavour);
    }

    /** Changes a running router's NAT rules (existing conntrack entries stay). */
    void natFlavour(String node, String flavour) {
        mesh("nat-flavour", work.toString(), node, flavour);
    }

    /** coturn at 10.99.0.253:3478 with the lab's shared secret; extra coturn options may follow. */
    void startRelay(String... options) {
        List<String> args = new ArrayList<>(List.of("relay-start", work.toString()));
        args.addAll(List.of(options));
        mesh(args.toArray(String[]::new));
    }

    void stopRelay() {
        mesh("relay-stop", work.toString());
    }

    /** The KubeSpanNATConfig document for the lab's coturn, with its secret or the one given. */
    String natConfig(String... secret) {
        List<String> args = new ArrayList<>(List.of("nat-config", work.toString()));
        args.addAll(List.of(secret));
        return mesh(args.toArray(String[]::new));
    }

    /** Creates only the node's namespace on the bridge, so a test can add links before the first start. */
    void network(String node, int index) {
        mesh("node-net", work.toString(), node, String.valueOf(index));
    }

    /**
     * {@link #launch} with {@code wrap}, then waits (2 min) for the agent's shell socket: a wrapped
     * agent (strace, libfaketime) starts slower, and mesh.sh does not wait for it.
     */
    void launchAndAwaitShell(String node, int index, String wrap, String under) throws InterruptedException {
        launch(node, index, wrap);
        Path socket = home(node).resolve("data/shell.sock");
        Mesh.await(node + " (under " + under + ") starts", Duration.ofMinutes(2),
                () -> Mesh.Seen.of(Files.exists(socket), "no shell socket"));
    }

    void start(String node, int index) {
        mesh("node-start", work.toString(), dist.toString(), node, String.valueOf(index));
        if (!started.contains(node)) {
            started.add(node);
        }
    }

    /**
     * Starts the agent in a PID namespace of its own too: {@code --pidns} (with its own /proc, as a
     * container) or {@code --pidns-outer-proc} (seeing the enclosing namespace's /proc).
     */
    void start(String node, int index, String pidNamespace) {
        mesh("node-start", work.toString(), dist.toString(), node, String.valueOf(index), pidNamespace);
        if (!started.contains(node)) {
            started.add(node);
        }
    }

    /** The pid (as this JVM sees it) of the wireguard-go running in the node's network namespace, or -1. */
    long wireguardGoProcess(String node) {
        for (String pid : exec(List.of("ip", "netns", "pids", "ks-" + node), Duration.ofSeconds(10)).output()
                .split("\\s+")) {
            try {
                if (!pid.isBlank() && Files.readString(Path.of("/proc", pid, "comm")).trim().equals("wireguard-go")) {
                    return Long.parseLong(pid);
                }
            } catch (IOException gone) {
                // exited meanwhile
            }
        }
        return -1;
    }

    /** Resident memory, threads and open files of a process, from /proc. */
    /** The node's agent JVM as {@link ProcessSample}. */
    ProcessSample agentSample(String node) throws IOException {
        return ProcessSample.of(agentPid(node));
    }

    void kill(String node) {
        mesh("node-kill", work.toString(), node);
    }

    /** Runs a Gogo command line in the node's agent and returns its output. */
    String shell(String node, String commandLine) {
        List<String> argv = new ArrayList<>(List.of("shell", work.toString(), node));
        argv.addAll(List.of(commandLine.split(" ")));
        return mesh(argv.toArray(new String[0]));
    }

    /** Like {@link #shell} but returns the exit code too, instead of failing on a non-zero one. */
    Result tryShell(String node, String commandLine) {
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "shell", work.toString(), node));
        cmd.addAll(List.of(commandLine.split(" ")));
        return exec(cmd, Duration.ofMinutes(1));
    }

    /** The resources {@code kubespan:get <type> -o yaml} prints, one map (metadata, spec) each. */
    List<Map<String, Object>> resources(String node, String type) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object doc : new org.yaml.snakeyaml.Yaml().loadAll(shell(node, "kubespan:get " + type + " -o yaml"))) {
            if (doc instanceof Map<?, ?> m) {
                @SuppressWarnings("unchecked")
                Map<String, Object> r = (Map<String, Object>) m;
                out.add(r);
            }
        }
        return out;
    }

    /** The spec of the one resource of that type, or fails. */
    Map<String, Object> spec(String node, String type) {
        List<Map<String, Object>> all = resources(node, type);
        if (all.size() != 1) {
            throw new AssertionError(node + ": expected one " + type + ", got " + all.size());
        }
        return spec(all.get(0));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> spec(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("spec");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> metadata(Map<String, Object> resource) {
        return (Map<String, Object>) resource.get("metadata");
    }

    /** The node's peer specs by label. */
    Map<String, Map<String, Object>> peerSpecs(String node) {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        for (Map<String, Object> r : resources(node, "ksps")) {
            out.put(String.valueOf(spec(r).get("label")), r);
        }
        return out;
    }

    /** The node's peer statuses by label. */
    Map<String, Map<String, Object>> peerStatuses(String node) {
        Map<String, Map<String, Object>> out = new java.util.TreeMap<>();
        for (Map<String, Object> r : resources(node, "kspst")) {
            out.put(String.valueOf(spec(r).get("label")), spec(r));
        }
        return out;
    }

    /** Node ID, WireGuard public key and KubeSpan address: what must survive restarts and updates. */
    record Identity(String nodeId, String publicKey, String address) {
    }

    Identity identity(String node) {
        return new Identity(String.valueOf(spec(node, "nodeidentity").get("nodeId")),
                String.valueOf(spec(node, "ksi").get("publicKey")), kubespanAddress(node));
    }

    /** The state of the node's client of the lab's discovery server (RegistryStatus service/default). */
    String registryState(String node) {
        return resources(node, "registrystatus").stream().filter(r -> "service/default".equals(metadata(r).get("id")))
                .map(r -> String.valueOf(spec(r).get("state"))).findFirst().orElse("absent");
    }

    /** The wireguard-go PID the node's LinkStatus reports. */
    long wireguardPid(String node) {
        return ((Number) spec(node, "links").get("pid")).longValue();
    }

    /** The agent JVM's PID (mesh.sh records it; the launcher execs into the JVM). */
    long agentPid(String node) throws IOException {
        return Long.parseLong(Files.readString(home(node).resolve("pid")).trim());
    }

    /** Starts a long-running command in the node's namespace; output goes to a file in the work dir. */
    Background background(String node, String name, String... argv) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "ks-" + node));
        cmd.addAll(List.of(argv));
        Path log = work.resolve(name + ".out");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        return new Background(p, log);
    }

    /** A process started by {@link #background}; {@link #interrupt} sends SIGINT, as Ctrl-C would. */
    record Background(Process process, Path log) implements AutoCloseable {
        String output() throws IOException {
            return Files.readString(log);
        }

        /** SIGINT (ping and tcpdump print their summary on it), then waits for the exit. */
        String interrupt() throws IOException, InterruptedException {
            exec(List.of("kill", "-INT", String.valueOf(process.pid())), Duration.ofSeconds(10));
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            return output();
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** ping6 at 5/s from each of {@code nodes} to each other one's KubeSpan address, in the background. */
    Pings pingEachOther(List<String> nodes, String label) throws IOException {
        List<Background> each = new ArrayList<>();
        for (String from : nodes) {
            for (String to : nodes) {
                if (!from.equals(to)) {
                    each.add(background(from, label + "-ping-" + from + "-" + to, "ping", "-6", "-i", "0.2",
                            kubespanAddress(to)));
                }
            }
        }
        return new Pings(each);
    }

    /** The pings {@link #pingEachOther} started. */
    record Pings(List<Background> each) {
        private static final Pattern SUMMARY = Pattern.compile("(\\d+) packets transmitted, (\\d+) received");

        /** Stops every ping (SIGINT makes it print its summary) and adds the summaries up. */
        PingCount stop() throws IOException, InterruptedException {
            long sent = 0;
            long received = 0;
            for (Background p : each) {
                Matcher m = SUMMARY.matcher(p.interrupt());
                if (m.find()) {
                    sent += Long.parseLong(m.group(1));
                    received += Long.parseLong(m.group(2));
                }
            }
            return new PingCount(sent, received);
        }
    }

    record PingCount(long sent, long received) {
        long lost() {
            return sent - received;
        }

        @Override
        public String toString() {
            return lost() + " of " + sent + " lost";
        }
    }

    /** Runs a command inside the node's network namespace. */
    Result inNode(String node, Duration timeout, String... argv) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", "ks-" + node));
        cmd.addAll(List.of(argv));
        return exec(cmd, timeout);
    }

    /** The node's KubeSpan address, without prefix length. */
    String kubespanAddress(String node) {
        Matcher m = Pattern.compile("address: (\\S+)/128").matcher(shell(node, "kubespan:get ksi -o yaml"));
        if (!m.find()) {
            throw new AssertionError(node + " has no KubeSpan identity");
        }
        return m.group(1);
    }

    /** Peer states by label (nodename) from {@code kubespan:peerstatuses}. */
    java.util.Map<String, String> peerStates(String node) {
        java.util.Map<String, String> out = new java.util.TreeMap<>();
        String table = shell(node, "kubespan:peerstatuses");
        String[] lines = table.split("\n");
        if (lines.length == 0) {
            return out;
        }
        List<String> header = List.of(lines[0].trim().split("\\s{2,}"));
        int label = header.indexOf("LABEL");
        int state = header.indexOf("STATE");
        for (int i = 1; i < lines.length; i++) {
            String[] cells = lines[i].trim().split("\\s{2,}");
            if (label >= 0 && state >= 0 && cells.length > Math.max(label, state)) {
                out.put(cells[label], cells[state]);
            }
        }
        return out;
    }

    /** The start-up timeline of these nodes from their logs (scripts/lib/MeshTimeline.java), as printed. */
    String timeline(List<String> nodes) {
        List<String> args = new ArrayList<>(List.of("timeline", work.toString()));
        args.addAll(nodes);
        return mesh(args.toArray(String[]::new));
    }

    /** Resident memory of the node's agent JVM in KiB. */
    long agentRssKib(String node) throws IOException {
        long rss = agentSample(node).rssKib();
        if (rss == 0) {
            throw new IOException("no VmRSS for " + node + " (pid " + agentPid(node) + ")");
        }
        return rss;
    }

    record Result(int exit, String output) {
    }

    String mesh(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        Result r = exec(cmd, Duration.ofMinutes(3));
        if (r.exit != 0) {
            throw new AssertionError("mesh.sh " + String.join(" ", args) + " failed (" + r.exit + "):\n" + r.output);
        }
        return r.output;
    }

    static Result exec(List<String> cmd, Duration timeout) {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", cmd) + " timed out");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AssertionError(String.join(" ", cmd) + " failed to run", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** How much of each log {@link #keepLogs} copies: its end. */
    static final long KEPT_LOG_BYTES = 4L << 20;

    /**
     * Copies the end of every log of the lab (the agents' {@code agent.log}, the discovery server's,
     * the background commands' output) to {@code target/e2e-failed-logs/<lab>-<what>/}, where the
     * next lab of the same name does not delete them, and prints the last lines of each agent's log.
     * Returns the folder.
     */
    Path keepLogs(String what) {
        Path dir = Path.of(System.getProperty("kubespan.itest.workdir")).getParent().resolve("e2e-failed-logs")
                .resolve(name + "-" + what.replaceAll("[^A-Za-z0-9._-]+", "_"));
        try (var files = Files.walk(work, 3)) {
            for (Path f : files.filter(Files::isRegularFile)
                    .filter(f -> f.getFileName().toString().matches(".*\\.(log|out)")).toList()) {
                Path to = dir.resolve(work.relativize(f).toString().replace('/', '_'));
                Files.createDirectories(dir);
                try (var in = java.nio.channels.FileChannel.open(f)) {
                    long from = Math.max(0, in.size() - KEPT_LOG_BYTES);
                    try (var out = java.nio.channels.FileChannel.open(to, java.nio.file.StandardOpenOption.CREATE,
                            java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                        in.transferTo(from, in.size() - from, out);
                    }
                }
                if (f.getFileName().toString().equals("agent.log")) {
                    List<String> lines = Files.readAllLines(to, StandardCharsets.ISO_8859_1);
                    System.out.println("--- last lines of " + work.relativize(f) + " (all kept in " + to + ") ---");
                    lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(System.out::println);
                }
            }
        } catch (IOException e) {
            System.out.println("cannot keep the logs of " + work + ": " + e);
        }
        return dir;
    }

    /**
     * A rule that keeps the lab's logs ({@link #keepLogs}) when a test fails, after its clean-up
     * (which stops the processes but leaves the files): {@code @Rule public final TestRule keepLogs =
     * MeshLab.keepLogsOnFailure(() -> lab);}.
     */
    static org.junit.rules.TestRule keepLogsOnFailure(java.util.function.Supplier<MeshLab> lab) {
        return new org.junit.rules.TestWatcher() {
            @Override
            protected void failed(Throwable e, org.junit.runner.Description d) {
                MeshLab l = lab.get();
                if (l != null) {
                    System.out.println(d.getMethodName() + " failed; its logs are kept in "
                            + l.keepLogs(d.getMethodName()));
                }
            }
        };
    }

    @Override
    public void close() {
        for (String n : started) {
            try {
                kill(n);
            } catch (AssertionError e) {
                // best effort: the namespaces die with the test JVM anyway
            }
        }
        exec(List.of("sh", "-c", "for n in $(ip netns list | awk '{print $1}' | grep '^ks-'); do "
                + "kill -KILL $(ip netns pids $n) 2>/dev/null; ip netns del $n; done"), Duration.ofSeconds(30));
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (var s = Files.walk(p)) {
            for (Path x : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(x);
            }
        }
    }
}
