package dev.kubespan.discovery.server.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.kubespan.discovery.server.internal.state.etcd.EtcdSettings;

/**
 * A real etcd cluster (Debian etcd-server), one member per network namespace, driven through
 * {@code scripts/lib/etcd.sh}. Only for tests that run in the isolated test JVM (failsafe's
 * {@code *IT}: private network, mount and PID namespaces), where its bridge and links vanish
 * with the JVM; {@link #close()} removes them and kills the members anyway.
 */
public final class EtcdLab implements AutoCloseable {
    private final Path script;
    private final Path work;
    private final int members;
    private final boolean tls;

    private EtcdLab(Path work, int members, boolean tls) {
        this.script = Path.of(System.getProperty("kubespan.root", "../..")).resolve("scripts/lib/etcd.sh");
        this.work = work;
        this.members = members;
        this.tls = tls;
    }

    /** Starts {@code members} members and waits until the cluster is healthy. */
    public static EtcdLab start(String name, int members) throws IOException {
        return start(name, members, false);
    }

    /**
     * As {@link #start(String, int)}; {@code tls}: clients need TLS and a client certificate
     * ({@link #tlsFile}: {@code ca.pem}, {@code client.pem}, {@code client-key.pem}).
     */
    public static EtcdLab start(String name, int members, boolean tls) throws IOException {
        Path work = Path.of(System.getProperty("kubespan.itest.workdir", "target/it-work"), name);
        deleteTree(work);
        Files.createDirectories(work);
        EtcdLab lab = new EtcdLab(work, members, tls);
        try {
            lab.run("up", work.toString(), String.valueOf(members));
        } catch (RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    public String endpoints() {
        return run("endpoints", String.valueOf(members)).trim();
    }

    /** Settings for a backend on this cluster under its own key prefix (with TLS: CA and client certificate). */
    public EtcdSettings settings(String prefix) {
        EtcdSettings.Parsed p = EtcdSettings.parseEndpoints(endpoints());
        return new EtcdSettings(p.endpoints(), p.tls(), tls ? tlsFile("ca.pem") : null,
                tls ? tlsFile("client.pem") : null, tls ? tlsFile("client-key.pem") : null, null, null, prefix,
                EtcdSettings.DEFAULT_TIMEOUT);
    }

    /** A file the TLS lab made (CA, client certificate and key). */
    public Path tlsFile(String name) {
        return work.resolve("etcd/tls").resolve(name);
    }

    /** SIGKILL of one member (1-based). */
    public void kill(int member) {
        run("kill", work.toString(), String.valueOf(member));
    }

    /** Starts a killed member again; it rejoins with its data. */
    public void restart(int member) {
        run("start", work.toString(), String.valueOf(member));
    }

    public void killAll() {
        run("stop-all", work.toString());
    }

    /** Starts every member again (after {@link #killAll}) and waits until the cluster is healthy. */
    public void restartAll() {
        run("start-all", work.toString());
    }

    /** etcdctl against one member. */
    public String ctl(int member, String... args) {
        List<String> a = new ArrayList<>(List.of("ctl", String.valueOf(member)));
        a.addAll(List.of(args));
        return run(a.toArray(new String[0]));
    }

    private String run(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(script.toString());
        cmd.addAll(List.of(args));
        try {
            ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
            pb.environment().put("ETCD_TLS", tls ? "1" : "0");
            Process p = pb.start();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(Duration.ofMinutes(1).toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("etcd.sh " + String.join(" ", args) + " timed out");
            }
            String text = new String(out, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("etcd.sh " + String.join(" ", args) + " failed:\n" + text);
            }
            return text;
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    @Override
    public void close() {
        try {
            run("down", work.toString());
        } catch (IllegalStateException e) {
            System.err.println("etcd lab clean-up: " + e.getMessage());
        }
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
