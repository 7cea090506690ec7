package dev.kubespan.wireguard.internal.userspace;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

import dev.kubespan.api.Log;
import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.wireguard.DeviceConfig;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.api.wireguard.PeerConfig;
import dev.kubespan.net.netlink.LinkOps;
import dev.kubespan.test.Netns;
import dev.kubespan.wireguard.internal.LinkOpsAccess;
import dev.kubespan.wireguard.internal.WireGuardService;

/**
 * Time to apply N peers and to read the device back through our API, next to {@code wg set} and
 * {@code wg show <if> dump} on the same wireguard-go in the same run. Each peer: endpoint,
 * keepalive 25 s, two allowed IPs (like a KubeSpan peer). Every apply starts from a device with
 * no peers. Median of the runs; wg times include starting the wg process, which is what shelling
 * out costs. Needs root, wireguard-go and wireguard-tools. Run (from the repository root):
 *
 * <pre>
 * mvn -B -q -o -pl bundles/dev.kubespan.wireguard test-compile exec:java \
 *     -Dexec.mainClass=dev.kubespan.wireguard.internal.userspace.UapiBenchmark -Dexec.classpathScope=test
 * </pre>
 */
public final class UapiBenchmark {
    private static final int RUNS = 5;
    private static final int[] SIZES = { 10, 100, 1000 };

    public static void main(String[] args) throws Exception {
        String link = "ksbench0";
        Path runtime = Files.createTempDirectory("ks-wg-bench");
        try (Netns ns = Netns.create("ks-nl-")) {
            LinkOpsAccess links = new LinkOpsAccess(ns.call(LinkOps::open),
                    LinkOpsAccess.namespaceOf(Path.of("/run/netns", ns.name())));
            ScheduledThreadPoolExecutor supervisor = new ScheduledThreadPoolExecutor(1);
            UserspaceBackend backend = new UserspaceBackend(UserspaceSettings.defaults("", runtime)
                    .withLaunchPrefix(List.of("ip", "netns", "exec", ns.name())), links, supervisor,
                    Log.console("[bench]"));
            WireGuardService service = new WireGuardService(backend, "bench", Log.console("[bench]"));
            try {
                service.ensureLink(link, 1420);
                Key priv = Key.generatePrivateKey();
                DeviceConfig empty = new DeviceConfig(priv, 51820, 0, List.of());
                service.apply(link, empty);

                // warm-up: JIT and the daemon's allocations
                for (int i = 0; i < 3; i++) {
                    service.apply(link, config(priv, 200, i));
                    service.read(link);
                    service.apply(link, empty);
                }

                System.out.println();
                System.out.println(version("wireguard-go", "--version") + ", " + version("wg", "--version")
                        + ", Java " + System.getProperty("java.version") + ", " + Runtime.getRuntime().availableProcessors()
                        + " CPUs; median of " + RUNS + " runs; each peer has an endpoint, keepalive 25 s, 2 allowed IPs");
                System.out.println();
                System.out.printf("| %5s | %16s | %12s | %6s | %15s | %17s | %6s | %21s |%n", "peers", "our apply (ms)",
                        "wg set (ms)", "ratio", "our read (ms)", "wg show dump (ms)", "ratio", "our re-apply, no change");
                System.out.println("|------:|-----------------:|-------------:|-------:|----------------:|------------------:|"
                        + "-------:|----------------------:|");
                for (int n : SIZES) {
                    long[] ourApply = new long[RUNS];
                    long[] wgSet = new long[RUNS];
                    long[] ourRead = new long[RUNS];
                    long[] wgDump = new long[RUNS];
                    long[] reapply = new long[RUNS];
                    for (int r = 0; r < RUNS; r++) {
                        DeviceConfig c = config(priv, n, r);
                        service.apply(link, empty);
                        ourApply[r] = time(() -> service.apply(link, c));
                        check(service.read(link).orElseThrow().peers().size() == n, "our apply");
                        ourRead[r] = time(() -> service.read(link));
                        reapply[r] = time(() -> service.apply(link, c));
                        wgDump[r] = time(() -> wg("show", link, "dump"));

                        service.apply(link, empty);
                        List<String> argv = wgSetArgv(link, c);
                        wgSet[r] = time(() -> wg(argv.toArray(String[]::new)));
                        check(service.read(link).orElseThrow().peers().size() == n, "wg set");
                    }
                    double a = median(ourApply);
                    double w = median(wgSet);
                    double rd = median(ourRead);
                    double d = median(wgDump);
                    System.out.printf("| %5d | %16.2f | %12.2f | %6.2f | %15.2f | %17.2f | %6.2f | %21.2f |%n", n, a, w,
                            a / w, rd, d, rd / d, median(reapply));
                }
                System.out.println();
            } finally {
                service.close(false);
                supervisor.shutdownNow();
                links.close();
            }
        } finally {
            try (var files = Files.walk(runtime)) {
                files.sorted((x, y) -> y.compareTo(x)).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static DeviceConfig config(Key priv, int n, int salt) throws IOException {
        List<PeerConfig> peers = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            k[1] = (byte) (i >> 8);
            k[2] = (byte) salt;
            k[31] = 0x42;
            InetAddress v4 = InetAddress.getByAddress(new byte[] { 10, 77, (byte) (i >> 8), (byte) i });
            byte[] six = new byte[16];
            six[0] = (byte) 0xfd;
            six[1] = 0x7a;
            six[14] = (byte) (i >> 8);
            six[15] = (byte) i;
            peers.add(new PeerConfig(Key.fromBytes(k), null, new Endpoint(v4, 51820), Duration.ofSeconds(25),
                    List.of(IpPrefix.host(InetAddress.getByAddress(six)), IpPrefix.host(v4))));
        }
        return new DeviceConfig(priv, 51820, 0, peers);
    }

    private static List<String> wgSetArgv(String link, DeviceConfig c) {
        List<String> argv = new ArrayList<>(List.of("set", link));
        for (PeerConfig p : c.peers()) {
            argv.addAll(List.of("peer", p.publicKey().toBase64(), "endpoint", p.endpoint().toString(),
                    "persistent-keepalive", "25", "allowed-ips",
                    String.join(",", p.allowedIPs().stream().map(IpPrefix::toString).toList())));
        }
        return argv;
    }

    /** Runs wg (it finds the userspace device by its socket, which every namespace shares). */
    private static void wg(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add("wg");
        argv.addAll(Arrays.asList(args));
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("wg " + args[0] + " failed");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot run wg (apt-get install --no-install-recommends wireguard-tools)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String version(String... argv) {
        try {
            Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            String first = out.lines().findFirst().orElse("?");
            return first.replaceAll(" - https?://\\S+", "").trim();
        } catch (IOException | InterruptedException e) {
            return "?";
        }
    }

    private static long time(Runnable r) {
        long t0 = System.nanoTime();
        r.run();
        return System.nanoTime() - t0;
    }

    private static double median(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return s[s.length / 2] / 1e6;
    }

    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException(what + " did not produce the expected device");
        }
    }

}
