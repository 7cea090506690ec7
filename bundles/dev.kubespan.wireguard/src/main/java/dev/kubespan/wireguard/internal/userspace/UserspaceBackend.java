package dev.kubespan.wireguard.internal.userspace;

import java.io.File;
import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.DeviceSnapshot;
import dev.kubespan.wireguard.internal.LinkAccess;
import dev.kubespan.wireguard.internal.WireGuardBackend;
import dev.kubespan.wireguard.internal.uapi.UapiClient;

/**
 * WireGuard in userspace: one supervised wireguard-go per link, configured over its UAPI socket.
 *
 * <p>Supervision: the daemon runs in the foreground ({@code WG_PROCESS_FOREGROUND=1}) so its pid
 * is ours; the JDK reaps it; when it dies it is restarted with exponential backoff and the service
 * is told to re-apply the config. Adoption: a daemon that outlived the previous instance (bundle
 * update, container restart) is found through the pid file (or, without one, by its argv), checked
 * to be wireguard-go for this link, in the links' network namespace, with the link present and
 * the socket answering, and then taken over as it is.
 *
 * <p>The UAPI socket directory is shared by every network namespace, so a socket is trusted only
 * for a daemon that runs in our namespace and whose link we can see.
 */
public final class UserspaceBackend implements WireGuardBackend {
    /** A daemon that ran this long before dying restarts with the first backoff again. */
    private static final Duration STABLE = Duration.ofSeconds(60);
    /** How often an adopted daemon (no child of ours, so no reaper tells) is checked for life. */
    private static final Duration ADOPTED_POLL = Duration.ofMillis(500);

    private final UserspaceSettings settings;
    private final LinkAccess links;
    private final ScheduledExecutorService executor;
    private final Log log;
    private final ProcFs proc;
    private final PidFiles pidFiles;
    private final Map<String, Daemon> daemons = new HashMap<>();
    private volatile Listener listener = new Listener() {
        @Override
        public void recreated(String link) {
        }

        @Override
        public void changed(String link) {
        }
    };
    private boolean closed;

    public UserspaceBackend(UserspaceSettings settings, LinkAccess links, ScheduledExecutorService executor, Log log) {
        this(settings, links, executor, log, ProcFs.system());
    }

    UserspaceBackend(UserspaceSettings settings, LinkAccess links, ScheduledExecutorService executor, Log log,
            ProcFs proc) {
        this.settings = settings;
        this.links = links;
        this.executor = executor;
        this.log = log;
        this.proc = proc;
        this.pidFiles = new PidFiles(settings.runtimeDir());
    }

    private final class Daemon {
        final String link;
        WireGuardGoProcess process;
        int mtu;
        int restarts;
        Duration backoff = settings.firstBackoff();
        ScheduledFuture<?> pendingRestart;
        Instant nextRestart;
        String problem = "";

        Daemon(String link) {
            this.link = link;
        }
    }

    @Override
    public Backend kind() {
        return Backend.USERSPACE;
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }

    /** Adopts the daemons a previous instance left running, found through their pid files. */
    @Override
    public synchronized List<String> adoptRunning() {
        checkOpen();
        proc.viewProblem().ifPresent(log::warn);
        List<String> adopted = new ArrayList<>();
        for (String link : pidFiles.links()) {
            try {
                if (running(link, false) != null) {
                    adopted.add(link);
                } else {
                    log.info("pid file for " + link + " names no live wireguard-go in this namespace; removed it");
                    pidFiles.delete(link);
                }
            } catch (RuntimeException e) {
                log.warn("cannot adopt wireguard-go for " + link + ": " + e.getMessage());
            }
        }
        return adopted;
    }

    @Override
    public synchronized void ensureLink(String link, int mtu) {
        checkOpen();
        Daemon d = running(link, true);
        d.mtu = mtu;
        configureLink(link, mtu);
    }

    @Override
    public synchronized Optional<LinkInfo> linkInfo(String link) {
        checkOpen();
        return links.find(link);
    }

    @Override
    public synchronized Optional<DeviceSnapshot> read(String link) {
        checkOpen();
        if (links.find(link).isEmpty()) {
            return Optional.empty();
        }
        serving(link);
        return Optional.of(client(link).get());
    }

    @Override
    public synchronized void set(String link, DeviceChange change) {
        checkOpen();
        if (links.find(link).isEmpty()) {
            throw new WireGuardException("link " + link + " does not exist in this network namespace; call ensureLink first",
                    Errno.ENODEV);
        }
        serving(link);
        client(link).set(change);
    }

    @Override
    public synchronized void deleteLink(String link) {
        checkOpen();
        Daemon d = daemons.remove(link);
        WireGuardGoProcess p = null;
        if (d != null) {
            cancelRestart(d);
            p = d.process;
        }
        if (p == null || !p.alive()) {
            OptionalLong pid = matchingPid(link);
            p = pid.isPresent() ? WireGuardGoProcess.adopt(pid.getAsLong(), proc, executor, ADOPTED_POLL).orElse(null)
                    : null;
        }
        if (p != null) {
            long pid = p.pid();
            if (!p.stop(settings.stopGrace())) {
                log.warn("wireguard-go pid " + pid + " for " + link + " did not exit after SIGKILL");
            } else {
                log.info("stopped wireguard-go pid " + pid + " for " + link);
            }
        }
        links.delete(link);
        pidFiles.delete(link);
    }

    @Override
    public synchronized Set<String> links() {
        return new TreeSet<>(daemons.keySet());
    }

    @Override
    public synchronized LinkHealth health(String link) {
        Daemon d = daemons.get(link);
        if (d == null) {
            return new LinkHealth(0, "no wireguard-go");
        }
        WireGuardGoProcess p = d.process;
        if (p != null && p.alive()) {
            String how = p.adopted() ? "adopted" : "started";
            return new LinkHealth(p.pid(), "wireguard-go pid " + p.pid() + " " + how + " "
                    + p.since().truncatedTo(ChronoUnit.SECONDS) + (d.restarts > 0 ? ", restarts " + d.restarts : ""));
        }
        String next = d.nextRestart == null ? "" : ", next restart " + d.nextRestart.truncatedTo(ChronoUnit.SECONDS);
        return new LinkHealth(0, (d.problem.isEmpty() ? "wireguard-go not running" : d.problem) + next);
    }

    @Override
    public void close(boolean keepLinks) {
        List<Daemon> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(daemons.values());
            daemons.clear();
        }
        for (Daemon d : all) {
            cancelRestart(d);
            WireGuardGoProcess p = d.process;
            if (p == null) {
                continue;
            }
            if (keepLinks) {
                p.detach();
                if (p.alive()) {
                    log.info("leaving wireguard-go pid " + p.pid() + " for " + d.link + " running");
                }
            } else {
                p.stop(settings.stopGrace());
                pidFiles.delete(d.link);
                try {
                    links.delete(d.link);
                } catch (RuntimeException e) {
                    log.warn("cannot delete link " + d.link + ": " + e.getMessage());
                }
                log.info("stopped wireguard-go pid " + p.pid() + " for " + d.link);
            }
        }
    }

    /** The daemon serving {@code link}, adopting or (when {@code start}) starting one. */
    private Daemon running(String link, boolean start) {
        Daemon d = daemons.get(link);
        if (d != null && d.process != null && d.process.alive()) {
            return d;
        }
        WireGuardGoProcess p = findRunning(link);
        if (p == null) {
            if (!start) {
                return null;
            }
            p = launch(link);
        }
        if (d == null) {
            d = new Daemon(link);
            daemons.put(link, d);
        }
        attach(d, p);
        if (p.adopted()) {
            Daemon adopted = d;
            links.find(link).ifPresent(info -> adopted.mtu = info.mtu());
        }
        return d;
    }

    private void serving(String link) {
        if (running(link, false) == null) {
            Daemon d = daemons.get(link);
            String why = d != null && !d.problem.isEmpty() ? " (" + d.problem + ")" : "";
            throw new WireGuardException("link " + link + " exists but no wireguard-go of ours serves it" + why, Errno.ESRCH);
        }
    }

    private void attach(Daemon d, WireGuardGoProcess p) {
        cancelRestart(d);
        d.process = p;
        d.problem = "";
        p.onExit(exited -> {
            try {
                executor.execute(() -> exited(d, exited));
            } catch (RejectedExecutionException closing) {
                // shutting down: nothing to restart
            }
        });
    }

    private void exited(Daemon d, WireGuardGoProcess p) {
        synchronized (this) {
            if (closed || daemons.get(d.link) != d || d.process != p) {
                return;
            }
            Duration ran = Duration.between(p.since(), Instant.now());
            if (ran.compareTo(STABLE) > 0) {
                d.backoff = settings.firstBackoff();
            }
            String how = p.exitCode().isPresent() ? "exited with code " + p.exitCode().getAsInt() : "exited";
            d.problem = "wireguard-go pid " + p.pid() + " " + how + " after " + ran.toMillis() + " ms";
            log.warn(d.problem + " (link " + d.link + "); restarting in " + d.backoff.toMillis() + " ms");
            scheduleRestart(d);
        }
        listener.changed(d.link);
    }

    private void scheduleRestart(Daemon d) {
        Duration delay = d.backoff;
        Duration doubled = d.backoff.multipliedBy(2);
        d.backoff = doubled.compareTo(settings.maxBackoff()) > 0 ? settings.maxBackoff() : doubled;
        d.nextRestart = Instant.now().plus(delay);
        try {
            d.pendingRestart = executor.schedule(() -> restart(d), delay.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            d.pendingRestart = null;
        }
    }

    private void restart(Daemon d) {
        boolean restarted = false;
        synchronized (this) {
            if (closed || daemons.get(d.link) != d || (d.process != null && d.process.alive())) {
                return;
            }
            d.pendingRestart = null;
            d.nextRestart = null;
            try {
                WireGuardGoProcess p = findRunning(d.link);
                if (p == null) {
                    p = launch(d.link);
                }
                attach(d, p);
                d.restarts++;
                configureLink(d.link, d.mtu);
                log.info("restarted wireguard-go for " + d.link + " (pid " + p.pid() + ", restart " + d.restarts + ")");
                restarted = true;
            } catch (RuntimeException e) {
                d.problem = "restart failed: " + e.getMessage();
                log.warn("restarting wireguard-go for " + d.link + " failed, next try in " + d.backoff.toMillis()
                        + " ms: " + e.getMessage());
                scheduleRestart(d);
            }
        }
        if (restarted) {
            listener.recreated(d.link);
        } else {
            listener.changed(d.link);
        }
    }

    private void cancelRestart(Daemon d) {
        if (d.pendingRestart != null) {
            d.pendingRestart.cancel(false);
            d.pendingRestart = null;
        }
        d.nextRestart = null;
    }

    private void configureLink(String link, int mtu) {
        LinkInfo info = links.find(link).orElseThrow(() -> new WireGuardException(
                "wireguard-go for " + link + " runs but the link is not in this network namespace", Errno.ENODEV));
        if (mtu > 0 && info.mtu() != mtu) {
            links.setMtu(link, mtu);
        }
        if (!info.up()) {
            links.setUp(link, true);
        }
    }

    /** A live wireguard-go for {@code link} in our namespace with the link present and the socket answering. */
    private WireGuardGoProcess findRunning(String link) {
        OptionalLong pid = matchingPid(link);
        if (pid.isEmpty()) {
            return null;
        }
        if (proc.startTicks(pid.getAsLong()).isEmpty()) {
            return null;
        }
        if (links.find(link).isEmpty()) {
            log.warn("wireguard-go pid " + pid.getAsLong() + " for " + link + " runs, but the link is missing");
            return null;
        }
        if (!client(link).answers()) {
            log.warn("wireguard-go pid " + pid.getAsLong() + " for " + link + " does not answer on "
                    + socket(link));
            return null;
        }
        if (pidFiles.read(link).orElse(-1) != pid.getAsLong()) {
            writePidFile(link, pid.getAsLong());
        }
        Optional<WireGuardGoProcess> adopted = WireGuardGoProcess.adopt(pid.getAsLong(), proc, executor, ADOPTED_POLL);
        if (adopted.isEmpty()) {
            return null;
        }
        log.info("adopted running wireguard-go pid " + pid.getAsLong() + " for " + link + " as it is");
        return adopted.get();
    }

    /** The pid of a wireguard-go for {@code link} in our namespace: the pid file's, else one found in /proc. */
    private OptionalLong matchingPid(String link) {
        String ns = links.namespaceId();
        String binary = binaryName();
        OptionalLong fromFile = pidFiles.read(link);
        if (fromFile.isPresent() && matches(fromFile.getAsLong(), link, binary, ns)) {
            return fromFile;
        }
        for (long pid : proc.pids()) {
            if (matches(pid, link, binary, ns)) {
                return OptionalLong.of(pid);
            }
        }
        return OptionalLong.empty();
    }

    private boolean matches(long pid, String link, String binary, String ns) {
        return ProcFs.isWireGuardGoFor(proc.cmdline(pid), binary, link)
                && proc.netns(pid).map(ns::equals).orElse(false);
    }

    private String binaryName() {
        String configured = settings.wireguardGoPath();
        if (!configured.isBlank()) {
            Path name = Path.of(configured.trim()).getFileName();
            if (name != null) {
                return name.toString();
            }
        }
        return WireGuardGoBinary.NAME;
    }

    private WireGuardGoProcess launch(String link) {
        UapiClient client = client(link);
        if (client.answers()) {
            throw new WireGuardException("UAPI socket " + client.socket() + " is served by a wireguard-go outside this"
                    + " network namespace (" + links.namespaceId() + "); the socket directory is shared by all"
                    + " namespaces, so use a distinct link name or a private " + settings.socketDir()
                    + " per namespace", Errno.EADDRINUSE);
        }
        Optional<LinkInfo> existing = links.find(link);
        if (existing.isPresent()) {
            throw new WireGuardException("link " + link + " already exists in this network namespace (kind '"
                    + existing.get().kind() + "') and no wireguard-go serves it; delete it or use another name", Errno.EEXIST);
        }
        Path binary = WireGuardGoBinary.find(settings.wireguardGoPath(), System.getenv("PATH"));
        List<String> argv = new ArrayList<>(settings.launchPrefix());
        argv.add(binary.toString());
        argv.add(link);
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.environment().put("WG_PROCESS_FOREGROUND", "1");
        pb.environment().remove("WG_TUN_FD");
        pb.environment().remove("WG_UAPI_FD");
        // A file, not a pipe: the daemon must survive this JVM without SIGPIPE and needs no reader thread.
        pb.redirectInput(Redirect.from(new File("/dev/null")));
        pb.redirectErrorStream(true);
        Process process;
        try {
            Files.createDirectories(settings.runtimeDir());
            pb.redirectOutput(Redirect.to(pidFiles.logFile(link).toFile()));
            process = pb.start();
        } catch (IOException e) {
            throw new WireGuardException("cannot start " + String.join(" ", argv) + ": " + e.getMessage(), e);
        }
        WireGuardGoProcess p = WireGuardGoProcess.child(process, proc);
        try {
            pidFiles.write(link, p.pid());
            awaitSocket(link, p, client);
        } catch (IOException e) {
            p.stop(settings.stopGrace());
            pidFiles.delete(link);
            throw new WireGuardException("cannot write pid file in " + settings.runtimeDir() + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            p.stop(settings.stopGrace());
            pidFiles.delete(link);
            throw e;
        }
        log.info("started wireguard-go pid " + p.pid() + " for " + link);
        return p;
    }

    private void awaitSocket(String link, WireGuardGoProcess p, UapiClient client) {
        long deadline = System.nanoTime() + settings.startTimeout().toNanos();
        while (true) {
            if (!p.alive()) {
                String code = p.exitCode().isPresent() ? " with code " + p.exitCode().getAsInt() : "";
                throw new WireGuardException("wireguard-go for " + link + " exited during start-up" + code + ": "
                        + pidFiles.logTail(link), Errno.ESRCH);
            }
            if (client.answers()) {
                if (links.find(link).isEmpty()) {
                    throw new WireGuardException("wireguard-go for " + link + " answers on " + client.socket()
                            + " but the link is not in this network namespace", Errno.ENODEV);
                }
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new WireGuardException("wireguard-go for " + link + " did not open " + client.socket() + " within "
                        + settings.startTimeout().toMillis() + " ms", Errno.ETIMEDOUT);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WireGuardException("interrupted while starting wireguard-go for " + link, e);
            }
        }
    }

    private void writePidFile(String link, long pid) {
        try {
            pidFiles.write(link, pid);
        } catch (IOException e) {
            log.warn("cannot write pid file for " + link + " in " + settings.runtimeDir(), e);
        }
    }

    private Path socket(String link) {
        return settings.socketDir().resolve(link + ".sock");
    }

    private UapiClient client(String link) {
        return new UapiClient(link, socket(link));
    }

    private void checkOpen() {
        if (closed) {
            throw new WireGuardException("the userspace WireGuard backend is closed", 0);
        }
    }
}
