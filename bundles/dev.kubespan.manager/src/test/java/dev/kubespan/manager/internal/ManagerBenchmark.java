package dev.kubespan.manager.internal;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.RunningController;
import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.wireguard.Key;
import dev.kubespan.test.ControllerHarness;
import dev.kubespan.test.Specs;

/**
 * Times peer-spec computation and device reconcile for 10, 100 and 1000 affiliates against the
 * real in-memory store and a fake device, and measures the heap retained per peer. Prints
 * figures; asserts nothing. How to run: see the module README.
 */
public final class ManagerBenchmark {
    private static final int[] SIZES = { 10, 100, 1000 };
    private static final String LOCAL = "benchLocalNode";

    /** The two controllers on the real store and runtime, a fake device, time frozen. */
    private static final class Setup implements AutoCloseable {
        final ControllerHarness h = new ControllerHarness();
        final FakeKernel kernel = new FakeKernel();
        final List<Affiliate> affiliates;
        RunningController specs;
        RunningController device;

        Setup(List<Affiliate> affiliates) {
            this.affiliates = affiliates;
        }

        void startSpecs() {
            specs = h.start(new PeerSpecController());
        }

        /** What the status controller does for every new peer: a status with the first endpoint chosen. */
        void statuses() {
            for (Resource<KubeSpanPeerSpec> r : h.store.list(ResourceTypes.KUBESPAN_PEER_SPEC, Namespaces.KUBESPAN)) {
                h.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, r.id(), new KubeSpanPeerStatus("",
                        r.spec().label(), PeerState.UNKNOWN, 0, 0, null, r.spec().endpoints().get(0).toString(), h.now()));
            }
        }

        void startDevice() {
            device = h.start(new DeviceController(kernel, kernel, kernel, h.scheduler.nanoTime(), Duration.ZERO));
        }

        @Override
        public void close() {
            h.close();
        }
    }

    public static void main(String[] args) throws Exception {
        Key priv = Key.generatePrivateKey();
        List<Key> keys = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            keys.add(Key.generatePrivateKey().publicKey());
        }
        System.out.println("warming up ...");
        for (int i = 0; i < 30; i++) {
            try (Setup w = setup(priv, keys, 100)) {
                w.startSpecs();
                w.statuses();
                w.startDevice();
                w.h.pass(w.device);
            }
        }
        System.out.printf(Locale.ROOT, "%-6s %14s %14s %14s %14s %16s %12s%n", "peers", "specs cold ms",
                "specs same ms", "device cold ms", "device same ms", "1 change (s+d) ms", "routes");
        for (int n : SIZES) {
            int repeats = n >= 1000 ? 7 : 21;
            double[] specsCold = new double[repeats];
            double[] deviceCold = new double[repeats];
            double[] specsSame = new double[repeats];
            double[] deviceSame = new double[repeats];
            double[] oneChange = new double[repeats];
            int routes = 0;
            for (int r = 0; r < repeats; r++) {
                try (Setup b = setup(priv, keys, n)) {
                    long t0 = System.nanoTime();
                    b.startSpecs();
                    long t1 = System.nanoTime();
                    b.statuses();
                    long t1b = System.nanoTime();
                    b.startDevice();
                    long t2 = System.nanoTime();
                    b.h.pass(b.specs);
                    long t3 = System.nanoTime();
                    b.h.pass(b.device);
                    long t4 = System.nanoTime();
                    if (b.kernel.calls("apply") != 1) {
                        throw new IllegalStateException("unchanged reconcile applied again");
                    }
                    Affiliate a = b.affiliates.get(n / 2);
                    List<String> more = new ArrayList<>(a.addresses());
                    more.add("172.31." + (r % 250) + ".1");
                    long t5 = System.nanoTime();
                    b.h.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, a.nodeId(), new Affiliate(a.nodeId(), more,
                            a.hostname(), a.nodename(), a.operatingSystem(), a.machineType(), a.kubespan(), null));
                    b.h.settle(); // the spec pass, then the device pass it triggers
                    long t6 = System.nanoTime();
                    specsCold[r] = ms(t1 - t0);
                    deviceCold[r] = ms(t2 - t1b);
                    specsSame[r] = ms(t3 - t2);
                    deviceSame[r] = ms(t4 - t3);
                    oneChange[r] = ms(t6 - t5);
                    routes = b.kernel.routeCount();
                }
            }
            System.out.printf(Locale.ROOT, "%-6d %14.2f %14.2f %14.2f %14.2f %16.2f %12d%n", n, median(specsCold),
                    median(specsSame), median(deviceCold), median(deviceSame), median(oneChange), routes);
        }

        System.out.println();
        System.out.println("heap retained per peer (bytes, after GC):");
        System.out.printf(Locale.ROOT, "%-6s %18s %18s %18s%n", "peers", "merged affiliate", "peer spec",
                "fake device+routes");
        for (int n : SIZES) {
            long base = usedAfterGc();
            try (Setup b = setup(priv, keys, n)) {
                long withAffiliates = usedAfterGc();
                b.startSpecs();
                b.statuses();
                long withSpecs = usedAfterGc();
                b.startDevice();
                b.h.log.clear();
                long withDevice = usedAfterGc();
                System.out.printf(Locale.ROOT, "%-6d %18d %18d %18d%n", n, (withAffiliates - base) / n,
                        (withSpecs - withAffiliates) / n, (withDevice - withSpecs) / n);
                // keep everything reachable until measured
                if (b.kernel.routeCount() < 0 || b.h.store.list(ResourceTypes.AFFILIATE, null).isEmpty()) {
                    System.out.println();
                }
            }
        }
    }

    private static Setup setup(Key priv, List<Key> keys, int n) {
        Setup setup = new Setup(new ArrayList<>());
        ResourceStore store = setup.h.store;
        store.put(ResourceTypes.NODE_IDENTITY, Namespaces.CLUSTER, NodeIdentity.ID, new NodeIdentity(LOCAL), "bench");
        store.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                KubeSpanConfig.builder().enabled(true).clusterId("c").sharedSecret(Fixtures.SECRET).forceRouting(true).build(),
                "bench");
        store.put(ResourceTypes.KUBESPAN_IDENTITY, Namespaces.KUBESPAN, KubeSpanIdentity.ID,
                new KubeSpanIdentity(IpPrefix.parse("fd7f:175a:b97c:5602::ffff/128"),
                        IpPrefix.parse("fd7f:175a:b97c:5602::/64"), priv, priv.publicKey()),
                "bench");
        store.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID,
                new DiscoveryConfig(true, false, List.of(new DiscoveryServiceEndpoint("d", "disc.example:443", false)),
                        "", ""),
                "bench");
        for (int i = 0; i < n; i++) {
            String id = String.format("node%05d", i);
            int hi = i / 250;
            int lo = i % 250 + 1;
            String v4 = "10." + hi + "." + lo + ".1";
            String pub = "203.0." + hi + "." + lo;
            String v6 = "2001:db8:" + Integer.toHexString(i) + "::1";
            String ks = "fd7f:175a:b97c:5602::" + Integer.toHexString(i + 1);
            Affiliate a = new Affiliate(id, List.of(v4, pub, v6, ks), id, id, "Talos (v1.14.0)", "worker",
                    Specs.kubeSpan(keys.get(i).toBase64(), ks,
                            List.of("10.244." + (i % 250) + "." + (i / 250 * 64) + "/26"),
                            List.of(pub + ":51820", v4 + ":51820", "[" + v6 + "]:51820"), List.of()),
                    null);
            setup.affiliates.add(a);
            store.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER, id, a, Owners.AFFILIATE_MERGE);
        }
        return setup;
    }

    private static long usedAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long best = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(50);
            best = Math.min(best, rt.totalMemory() - rt.freeMemory());
        }
        return best;
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c[c.length / 2];
    }
}
