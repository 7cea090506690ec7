import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The start-up timeline of a lab mesh, from the agents' own logs (scripts/lib/mesh.sh starts
 * them): per node when it was launched, published its identity and first heard from discovery;
 * per pair when the peer entered the device, handshook and was seen up. Times are relative to
 * the moment the last agent published its identity, the issue's reference point.
 *
 * <pre>java scripts/lib/MeshTimeline.java WORK NODE...</pre>
 *
 * Prints FIGURE lines for the harness; exits 1 when a pair never came up.
 */
public final class MeshTimeline {
    private static final Pattern STAMP = Pattern.compile("^(\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z) ");
    private static final Pattern ADDED = Pattern.compile("device: added peer (\\S+) \\(");
    private static final Pattern UP = Pattern.compile("peer (\\S+) \\([^)]*\\): \\w+ -> up .*\\(handshake ([0-9T:.Z-]+)[,)]");

    record Node(String name, Instant launched, Instant identity, Instant discovery, Map<String, Instant> added,
            Map<String, Instant> handshake, Map<String, Instant> up) {
    }

    public static void main(String[] args) throws IOException {
        Path work = Path.of(args[0]);
        List<Node> nodes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            nodes.add(read(work, args[i]));
        }
        Instant ref = nodes.stream().map(Node::identity).filter(t -> t != null).max(Comparator.naturalOrder())
                .orElseThrow(() -> new IllegalStateException("no agent published an identity"));
        Node last = nodes.stream().filter(n -> ref.equals(n.identity())).findFirst().orElseThrow();

        System.out.printf(Locale.ROOT, "%-8s %10s %10s %10s   (s, relative to %s's identity at %s)%n", "node",
                "launched", "identity", "discovery", last.name(), ref);
        for (Node n : nodes) {
            System.out.printf(Locale.ROOT, "%-8s %10s %10s %10s%n", n.name(), rel(n.launched(), ref),
                    rel(n.identity(), ref), rel(n.discovery(), ref));
        }
        List<Double> ups = new ArrayList<>();
        boolean complete = true;
        boolean detail = nodes.size() <= 5;
        if (detail) {
            System.out.printf(Locale.ROOT, "%-18s %10s %10s %10s%n", "pair", "configured", "handshake", "up");
        }
        for (Node n : nodes) {
            for (Node p : nodes) {
                if (p == n) {
                    continue;
                }
                Instant up = n.up().get(p.name());
                if (up == null) {
                    complete = false;
                } else {
                    ups.add(seconds(up, ref));
                }
                if (detail) {
                    System.out.printf(Locale.ROOT, "%-18s %10s %10s %10s%n", n.name() + " -> " + p.name(),
                            rel(n.added().get(p.name()), ref), rel(n.handshake().get(p.name()), ref), rel(up, ref));
                }
            }
        }
        if (!complete) {
            System.out.println("some pairs were never seen up (see the table)");
            System.exit(1);
        }
        ups.sort(Comparator.naturalOrder());
        double full = ups.get(ups.size() - 1);
        double sinceLaunch = full + Duration.between(last.launched() == null ? ref : last.launched(), ref).toMillis() / 1000.0;
        System.out.printf(Locale.ROOT, "pairs up: median %.2f s, last %.2f s after the last identity%n",
                ups.get(ups.size() / 2), full);
        System.out.printf(Locale.ROOT, "FIGURE full mesh of %d: %.2f s after the last agent's identity"
                + " (%.2f s after its launch)%n", nodes.size(), full, sinceLaunch);
    }

    private static Node read(Path work, String name) throws IOException {
        Instant launched = null;
        Path l = work.resolve(name).resolve("launched");
        if (Files.exists(l)) {
            launched = Instant.ofEpochMilli(Long.parseLong(Files.readString(l).trim()));
        }
        Instant identity = null;
        Instant discovery = null;
        Map<String, Instant> added = new LinkedHashMap<>();
        Map<String, Instant> handshake = new LinkedHashMap<>();
        Map<String, Instant> up = new LinkedHashMap<>();
        for (String line : Files.readAllLines(work.resolve(name).resolve("agent.log"))) {
            Matcher s = STAMP.matcher(line);
            if (!s.find()) {
                continue;
            }
            Instant t = Instant.parse(s.group(1));
            if (identity == null && line.contains("Published KubeSpan identity")) {
                identity = t;
            } else if (discovery == null && line.contains("discovery service") && line.contains(": connected to")) {
                discovery = t;
            }
            Matcher a = ADDED.matcher(line);
            if (a.find()) {
                added.putIfAbsent(a.group(1), t);
            }
            Matcher u = UP.matcher(line);
            if (u.find()) {
                up.putIfAbsent(u.group(1), t);
                handshake.putIfAbsent(u.group(1), parse(u.group(2)).orElse(null));
            }
        }
        return new Node(name, launched, identity, discovery, added, handshake, up);
    }

    private static Optional<Instant> parse(String t) {
        try {
            return Optional.of(Instant.parse(t));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static double seconds(Instant t, Instant ref) {
        return Duration.between(ref, t).toMillis() / 1000.0;
    }

    private static String rel(Instant t, Instant ref) {
        return t == null ? "-" : String.format(Locale.ROOT, "%+.2f", seconds(t, ref));
    }
}
