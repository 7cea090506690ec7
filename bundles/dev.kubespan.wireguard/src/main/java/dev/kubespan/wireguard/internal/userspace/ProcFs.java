package dev.kubespan.wireguard.internal.userspace;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads what supervision and adoption need from {@code /proc}: a process's argv, network namespace
 * and start time, by its pid <em>in our PID namespace</em>.
 *
 * <p>{@code /proc} need not show our PID namespace: an agent started in a PID namespace of its
 * own without a {@code /proc} of its own (e.g. {@code unshare --pid --fork} without
 * {@code --mount-proc}) sees the parent namespace's, where the number of our wireguard-go names
 * another process or thread. The JDK's {@link ProcessHandle} reads that {@code /proc} too, and
 * took such a stranger for our killed daemon (alive for ever, never restarted). So every lookup
 * goes through {@link #dir}: with our own {@code /proc} it is {@code /proc/<pid>} (a process, not a
 * thread id); with an ancestor's it is the entry whose {@code NSpid} has {@code pid} at our
 * namespace's level and whose {@code ns/pid} is ours; with a {@code /proc} that cannot show us,
 * nothing.
 */
final class ProcFs {
    private final Path proc;
    private final long selfPid;
    private final Map<Long, Path> foreignEntries = new ConcurrentHashMap<>();
    private volatile View view;

    /** How this {@code /proc} shows our namespace: the index of our pid in NSpid lists (-1: not at all). */
    record View(int level, String pidNamespace) {
        boolean own() {
            return level == 0;
        }

        boolean usable() {
            return level >= 0;
        }
    }

    /**
     * @param proc the proc mount to read
     * @param selfPid this process's pid in its own PID namespace
     */
    ProcFs(Path proc, long selfPid) {
        this.proc = proc;
        this.selfPid = selfPid;
    }

    static ProcFs system() {
        return new ProcFs(Path.of("/proc"), ProcessHandle.current().pid());
    }

    View view() {
        View v = view;
        if (v == null) {
            v = readView();
            view = v;
        }
        return v;
    }

    private View readView() {
        Path self = proc.resolve("self");
        String pidNs = link(self.resolve("ns/pid")).orElse("");
        Optional<List<Long>> nspid = nspid(self);
        if (nspid.isPresent() && !nspid.get().isEmpty()) {
            List<Long> ids = nspid.get();
            return ids.get(ids.size() - 1) == selfPid ? new View(ids.size() - 1, pidNs) : new View(-1, pidNs);
        }
        // a kernel without NSpid (before 4.1): /proc/self names us as this /proc numbers us
        Optional<String> selfLink = link(self);
        return selfLink.isPresent() && selfLink.get().equals(Long.toString(selfPid)) ? new View(0, pidNs)
                : new View(-1, pidNs);
    }

    /** One sentence for the log when {@code /proc} is not our namespace's; empty when it is. */
    Optional<String> viewProblem() {
        View v = view();
        if (v.own()) {
            return Optional.empty();
        }
        if (v.usable()) {
            return Optional.of(proc + " shows an ancestor PID namespace (this process is "
                    + selfPid + " in its own); wireguard-go processes are found there through their NSpid");
        }
        return Optional.of(proc + " does not show this process's PID namespace (pid " + selfPid
                + "); a wireguard-go left by an earlier instance cannot be adopted, mount a proc of this namespace");
    }

    /** The {@code /proc} entry of our-namespace pid {@code pid}, a process (not a thread), or empty. */
    Optional<Path> dir(long pid) {
        View v = view();
        if (!v.usable() || pid <= 0) {
            return Optional.empty();
        }
        if (v.own()) {
            Path d = proc.resolve(Long.toString(pid));
            return isProcess(d) ? Optional.of(d) : Optional.empty();
        }
        Path cached = foreignEntries.get(pid);
        if (cached != null && isOurs(cached, pid, v)) {
            return Optional.of(cached);
        }
        foreignEntries.remove(pid);
        for (Path d : entries()) {
            if (isOurs(d, pid, v)) {
                foreignEntries.put(pid, d);
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /** argv of the process, or empty when it is gone, a zombie or unreadable. */
    List<String> cmdline(long pid) {
        Optional<Path> d = dir(pid);
        if (d.isEmpty()) {
            return List.of();
        }
        try {
            byte[] raw = Files.readAllBytes(d.get().resolve("cmdline"));
            List<String> args = new ArrayList<>();
            int start = 0;
            for (int i = 0; i < raw.length; i++) {
                if (raw[i] == 0) {
                    args.add(new String(raw, start, i - start, StandardCharsets.UTF_8));
                    start = i + 1;
                }
            }
            if (start < raw.length) {
                args.add(new String(raw, start, raw.length - start, StandardCharsets.UTF_8));
            }
            return args;
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** {@code net:[inode]} of the process, or empty when unreadable. */
    Optional<String> netns(long pid) {
        return dir(pid).flatMap(d -> link(d.resolve("ns/net")));
    }

    /**
     * When the process started, in clock ticks since boot ({@code stat} field 22): with the pid, the
     * identity of a process (a pid alone may be reused). Empty when it is gone or a zombie.
     */
    OptionalLong startTicks(long pid) {
        Optional<Path> d = dir(pid);
        if (d.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            String stat = Files.readString(d.get().resolve("stat"), StandardCharsets.UTF_8);
            int end = stat.lastIndexOf(')');
            String[] f = stat.substring(end + 1).trim().split(" ");
            // f[0] is field 3 (state), so field 22 is f[19]
            if (f.length < 20 || f[0].equals("Z") || f[0].equals("X")) {
                return OptionalLong.empty();
            }
            return OptionalLong.of(Long.parseLong(f[19]));
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The pids (in our namespace) of all processes, for the search when a pid file is missing. */
    List<Long> pids() {
        View v = view();
        List<Long> out = new ArrayList<>();
        if (!v.usable()) {
            return out;
        }
        for (Path d : entries()) {
            if (v.own()) {
                out.add(Long.parseLong(d.getFileName().toString()));
                continue;
            }
            Optional<List<Long>> ids = nspid(d);
            if (ids.isPresent() && ids.get().size() > v.level()
                    && link(d.resolve("ns/pid")).map(v.pidNamespace()::equals).orElse(false)) {
                long pid = ids.get().get(v.level());
                foreignEntries.put(pid, d);
                out.add(pid);
            }
        }
        return out;
    }

    private List<Path> entries() {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc, p -> p.getFileName().toString().matches("\\d+"))) {
            for (Path p : dirs) {
                out.add(p);
            }
        } catch (IOException e) {
            // nothing to search then
        }
        return out;
    }

    /** Whether the entry is a process whose pid at our level is {@code pid}, in our PID namespace. */
    private boolean isOurs(Path d, long pid, View v) {
        Optional<Status> st = Status.of(d);
        return st.isPresent() && st.get().process() && st.get().nspid().size() > v.level()
                && st.get().nspid().get(v.level()) == pid
                && link(d.resolve("ns/pid")).map(v.pidNamespace()::equals).orElse(false);
    }

    /** A thread id has a /proc entry too (unlisted); a process's Tgid is its own Pid. */
    private static boolean isProcess(Path d) {
        return Status.of(d).map(Status::process).orElse(false);
    }

    private static Optional<List<Long>> nspid(Path d) {
        return Status.of(d).map(Status::nspid).filter(ids -> !ids.isEmpty());
    }

    /** The lines of {@code /proc/<pid>/status} we read: Pid, Tgid, NSpid (empty on kernels before 4.1). */
    private record Status(String pid, String tgid, List<Long> nspid) {
        boolean process() {
            return !pid.isEmpty() && pid.equals(tgid);
        }

        static Optional<Status> of(Path d) {
            try {
                String pid = "";
                String tgid = "";
                List<Long> ids = new ArrayList<>();
                for (String line : Files.readAllLines(d.resolve("status"), StandardCharsets.UTF_8)) {
                    if (line.startsWith("Pid:")) {
                        pid = line.substring(4).trim();
                    } else if (line.startsWith("Tgid:")) {
                        tgid = line.substring(5).trim();
                    } else if (line.startsWith("NSpid:")) {
                        for (String id : line.substring(6).trim().split("\\s+")) {
                            ids.add(Long.parseLong(id));
                        }
                    }
                }
                return Optional.of(new Status(pid, tgid, List.copyOf(ids)));
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }

    private static Optional<String> link(Path p) {
        try {
            return Optional.of(Files.readSymbolicLink(p).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
    }

    /**
     * Whether argv is a wireguard-go serving {@code link}: the program's file name is
     * {@code binaryName} and the last argument is the link (flags such as {@code -f} may precede it).
     */
    static boolean isWireGuardGoFor(List<String> argv, String binaryName, String link) {
        if (argv.size() < 2 || !argv.get(argv.size() - 1).equals(link)) {
            return false;
        }
        Path program = Path.of(argv.get(0)).getFileName();
        return program != null && program.toString().equals(binaryName);
    }
}
