package dev.kubespan.shell.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.AffiliateKubeSpan;
import dev.kubespan.api.spec.ControlPlane;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.DiscoveryServiceEndpoint;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.NatMapping;
import dev.kubespan.api.spec.PathProbe;
import dev.kubespan.api.spec.RelayAllocation;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.Member;
import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.test.TestStore;

/**
 * What users see for every resource type and every command, byte for byte, held in
 * {@code src/test/resources/outputs/}: each file is exactly what the shell prints for one command
 * line (the formatted result and its newline; nothing for no result). The files were recorded
 * from the commands as they were when they returned pre-rendered text, so a change of how the
 * commands produce their output cannot change what users read. To record again after an
 * intended change of the output: {@code -Dshell.record=true}, then review the diff of the files.
 */
public class RecordedOutputTest {
    private static final Path DIR = Path.of("src/test/resources/outputs");
    private static final Instant T1 = Fixtures.T0.plusSeconds(90);

    private CommandProcessorImpl processor;
    private CommandSession session;

    @Before
    public void setUp() {
        processor = TestGogo.processor();
        ResourceCommands commands = new ResourceCommands(store());
        for (String f : List.of("get", "identities", "peerspecs", "peerstatuses", "endpoints", "members", "affiliates")) {
            processor.addCommand("kubespan", commands, f);
        }
        processor.addConverter(new ResourceConverter()); // as Gogo's whiteboard adds Converter services
        session = processor.createSession(new ByteArrayInputStream(new byte[0]), new ByteArrayOutputStream(),
                new ByteArrayOutputStream());
    }

    @After
    public void tearDown() {
        session.close();
        processor.stop();
    }

    @Test
    public void everyTypeInEveryFormat() throws Exception {
        List<String> lines = new ArrayList<>();
        for (ResourceType<?> t : ResourceTypes.all()) {
            for (String format : List.of("table", "yaml", "json")) {
                lines.add("kubespan:get -o " + format + " " + t.name());
                if (!t.sensitiveFields().isEmpty() && !format.equals("table")) {
                    lines.add("kubespan:get -o " + format + " --show-secrets " + t.name());
                }
            }
        }
        checkAll(lines);
    }

    @Test
    public void shortcutsAndOptions() throws Exception {
        List<String> lines = new ArrayList<>();
        for (String shortcut : List.of("identities", "peerspecs", "peerstatuses", "endpoints", "members", "affiliates")) {
            for (String format : List.of("table", "yaml", "json")) {
                lines.add("kubespan:" + shortcut + " -o " + format);
            }
        }
        lines.add("kubespan:identities --show-secrets -o yaml");
        lines.add("kubespan:get -n cluster-raw affiliates");
        lines.add("kubespan:get -o json affiliates service/nodeB");
        lines.add("kubespan:get --output yaml -n config ksc kubespan");
        lines.add("kubespan:get -o yaml registries");
        checkAll(lines);
    }

    private void checkAll(List<String> lines) throws Exception {
        boolean record = Boolean.getBoolean("shell.record");
        List<String> differing = new ArrayList<>();
        for (String line : lines) {
            String shown = shown(line);
            Path file = DIR.resolve(line.substring("kubespan:".length()).replaceAll("[^A-Za-z0-9.-]+", "_") + ".txt");
            if (record) {
                Files.writeString(file, shown, StandardCharsets.UTF_8);
            } else if (!Files.exists(file)) {
                differing.add(line + ": no recorded output " + file);
            } else if (!Files.readString(file, StandardCharsets.UTF_8).equals(shown)) {
                assertEquals(line, Files.readString(file, StandardCharsets.UTF_8), shown);
            }
        }
        assertTrue(String.join("\n", differing), differing.isEmpty());
    }

    /** What the shell prints for the line: the result formatted for the user and a newline, or nothing. */
    private String shown(String line) throws Exception {
        Object result = session.execute(line);
        return result == null ? "" : session.format(result, Converter.INSPECT) + "\n";
    }

    /** One resource of every type (two affiliates: merged and raw), every field set. */
    private static TestStore store() {
        TestStore s = Fixtures.store();
        s.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, Fixtures.PEER_B,
                new KubeSpanPeerStatus("[2001:db8::3]:51820", "worker-long-name-2", PeerState.UP, 123456789L, 987654L,
                        T1, "[2001:db8::3]:51820", Fixtures.T0), "dev.kubespan.status/peer-status");
        s.put(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN, Fixtures.PEER_A,
                new KubeSpanPeerStatus("198.51.100.9:49152", "cp1", PeerState.UP, 5120, 4096, T1, "198.51.100.9:49152",
                        Fixtures.T0, KubeSpanPeerStatus.RELAYED, "198.51.100.9:49152"),
                "dev.kubespan.status/peer-status");
        s.put(ResourceTypes.KUBESPAN_ENDPOINT, Namespaces.KUBESPAN, Fixtures.PEER_B,
                new KubeSpanEndpoint("nodeB", "203.0.113.7:40123"), "dev.kubespan.status/peer-status");
        s.put(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID,
                new KubeSpanConfig(true, "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo=",
                        "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=", true, false, 1380, List.of("0.0.0.0/0", "!10.0.0.0/8"),
                        true, List.of("198.51.100.4:51820"), List.of("10.200.0.0/16"), 51821, List.of("::/0"),
                        Duration.ofSeconds(30), Duration.ofSeconds(275), Duration.ofMillis(15500)),
                "dev.kubespan.config/config");
        s.put(ResourceTypes.DISCOVERY_CONFIG, Namespaces.CONFIG, DiscoveryConfig.ID,
                new DiscoveryConfig(true, false, List.of(new DiscoveryServiceEndpoint("default",
                        "discovery.talos.dev:443", false), new DiscoveryServiceEndpoint("lab", "10.0.0.9:3000", true)),
                        "MDEyMzQ1Njc4OTAxMjM0NTY3ODkwMTIzNDU2Nzg5MDE=", "8XuV9TZHW08DOk3bVxQjH9ih_TBKjnh-j44tsCLSBzo="),
                "dev.kubespan.config/config");
        s.put(ResourceTypes.AFFILIATE, Namespaces.CLUSTER_RAW, "service/nodeB",
                new Affiliate("nodeB", List.of("10.0.0.2", "2001:db8::3"), "b.example", "worker-long-name-2",
                        "Talos (v1.14.0)", "worker", new AffiliateKubeSpan(Fixtures.PEER_B, "fd7f:175a:b97c:5602::b",
                                List.of("10.244.1.0/24"), List.of("172.20.0.3:51820", "[2001:db8::3]:51820"),
                                List.of("192.168.0.0/16")), new ControlPlane(6443)), "dev.kubespan.discovery.service/registry");
        s.put(ResourceTypes.MEMBER, Namespaces.CLUSTER, "worker-long-name-2",
                new Member("nodeB", List.of("10.0.0.2", "2001:db8::3"), "b.example", "worker", "Talos (v1.14.0)",
                        new ControlPlane(6443)), "dev.kubespan.manager/member");
        s.put(ResourceTypes.DISCOVERED_ADDRESS, Namespaces.CLUSTER, "service", new DiscoveredAddress("198.51.100.4"),
                "dev.kubespan.discovery.service/registry");
        s.put(ResourceTypes.REGISTRY_STATUS, Namespaces.CLUSTER, "service/default",
                new RegistryStatus("service/default", "discovery.talos.dev:443", "backoff", 2,
                        "UNAVAILABLE: io exception: \"connection refused\"", T1), "dev.kubespan.discovery.service/registry");
        s.put(ResourceTypes.LINK_STATUS, Namespaces.KUBESPAN, "kubespan",
                new LinkStatus("userspace", true, true, 1420, 51820, 2, 4711,
                        "wireguard-go pid 4711 started 2026-11-26T09:00:00Z; auto: no kernel WireGuard"),
                "dev.kubespan.wireguard/link-status");
        s.put(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID,
                new NatConfig(List.of("198.51.100.1:3478"), List.of("198.51.100.1:3478", "203.0.113.1:3478"), "",
                        "", "c2hhcmVkIHNlY3JldCBvZiB0aGUgcmVsYXk="), "dev.kubespan.config/config");
        s.put(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, NatMapping.ID,
                new NatMapping(51820, "203.0.113.50:51820", List.of("198.51.100.1:3478=203.0.113.50:51820"),
                        "endpoint-independent", T1, ""), "dev.kubespan.nat/nat-mapping");
        s.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, "198.51.100.1:3478",
                new RelayAllocation("198.51.100.1:3478", "allocated", "198.51.100.1:49160", "203.0.113.50:40001",
                        T1.plusSeconds(600), List.of("198.51.100.9"), List.of("127.0.0.1:40101 -> 198.51.100.9:49152"),
                        ""), "dev.kubespan.nat/relay");
        s.put(ResourceTypes.RELAY_ALLOCATION, Namespaces.KUBESPAN, "203.0.113.1:3478",
                new RelayAllocation("203.0.113.1:3478", "failed", "", "", null, List.of(), List.of(),
                        "401 Unauthorized: wrong credentials for the relay"), "dev.kubespan.nat/relay");
        s.put(ResourceTypes.PATH_PROBE, Namespaces.KUBESPAN, Fixtures.PEER_A,
                new PathProbe("cp1", "198.51.100.9:49152", T1, 12, T1, 3), "dev.kubespan.nat/path-probe");
        return s;
    }

    static String read(Path p) throws IOException {
        return Files.readString(p, StandardCharsets.UTF_8);
    }
}
