package dev.kubespan.discovery.server.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;

public class CommandLineTest {
    @Test
    public void goDurations() {
        assertEquals(Duration.ofMinutes(1), CommandLine.parseDuration("1m"));
        assertEquals(Duration.ofMinutes(90), CommandLine.parseDuration("1h30m"));
        assertEquals(Duration.ofMillis(250), CommandLine.parseDuration("250ms"));
        assertEquals(Duration.ofMillis(1500), CommandLine.parseDuration("1.5s"));
        for (String bad : new String[] {"", "10", "1x", "m1", "1m junk"}) {
            try {
                CommandLine.parseDuration(bad);
                fail(bad);
            } catch (IllegalArgumentException expected) {
                // named in the message by the caller
            }
        }
    }

    @Test
    public void defaultsMirrorTheReferenceServer() {
        ServerSettings s = CommandLine.parse(new String[0]).toSettings("/opt/ks");
        assertEquals(new InetSocketAddress(3000), s.listen);
        assertEquals(new InetSocketAddress(2122), s.metrics);
        assertEquals(Duration.ofMinutes(1), s.gcInterval);
        assertEquals(Duration.ofMinutes(10), s.snapshotInterval);
        assertEquals(Path.of("/opt/ks/data/discovery/state.bin"), s.snapshotPath);
        assertTrue("forwarding headers are not trusted unless asked for", !s.trustXRealIp && !s.trustXForwardedFor);
        assertEquals(List.of(), s.trustedProxies);
        assertNull(s.redirectEndpoint);
        assertNull(s.tlsCertificate);
    }

    @Test
    public void flagsInBothSyntaxes() {
        ServerSettings s = CommandLine.parse(new String[] {"--addr", "127.0.0.1:4000", "-metrics-addr=", "--snapshots-enabled=false",
                "--trust-x-real-ip", "false", "--trust-first-x-forwarded-for", "--redirect-endpoint=new:443", "--gc-interval", "5s", "--debug",
                "--certificate-path", "/c.pem", "--key-path", "/k.pem"}).toSettings(null);
        assertEquals(4000, s.listen.getPort());
        assertEquals("127.0.0.1", s.listen.getAddress().getHostAddress());
        assertNull(s.metrics);
        assertNull(s.snapshotPath);
        assertTrue(!s.trustXRealIp && s.trustXForwardedFor);
        assertEquals("new:443", s.redirectEndpoint);
        assertEquals(Duration.ofSeconds(5), s.gcInterval);
        assertEquals(Path.of("/c.pem"), s.tlsCertificate);
    }

    @Test
    public void limitsHaveSafeDefaultsAndFlags() {
        ServerSettings d = CommandLine.parse(new String[0]).toSettings(null);
        assertEquals(Duration.ofSeconds(10), d.handshakeTimeout);
        assertEquals(Duration.ofMinutes(1), d.idleTimeout);
        assertEquals(Duration.ofMinutes(2), d.keepAliveTime);
        assertEquals(Duration.ofSeconds(20), d.keepAliveTimeout);
        assertEquals(10_000, d.maxConnections);
        assertEquals(100, d.maxConnectionsPerIp);
        assertEquals(100, d.maxCallsPerConnection);
        assertEquals(200, d.maxCallsPerIp);
        assertEquals(Duration.ofSeconds(10), d.rateLimitMaxWait);
        assertEquals(1000, d.rateLimitMaxWaiting);
        assertEquals(8, d.callThreads);

        ServerSettings s = CommandLine.parse(new String[] {"--trust-x-real-ip", "--trusted-proxies", "10.0.0.0/8, ::1",
            "--handshake-timeout=2s", "--idle-timeout", "30s", "--keepalive-time", "1m", "--keepalive-timeout", "5s",
            "--max-connections", "50", "--max-connections-per-ip", "0", "--max-calls-per-connection", "7",
            "--max-calls-per-ip", "9", "--rate-max-wait", "1s", "--rate-max-waiting", "3", "--call-threads", "2"})
                .toSettings(null);
        assertEquals(List.of(IpPrefix.parse("10.0.0.0/8"), IpPrefix.parse("::1/128")), s.trustedProxies);
        assertEquals(Duration.ofSeconds(2), s.handshakeTimeout);
        assertEquals(Duration.ofSeconds(30), s.idleTimeout);
        assertEquals(Duration.ofSeconds(5), s.keepAliveTimeout);
        assertEquals(50, s.maxConnections);
        assertEquals(0, s.maxConnectionsPerIp);
        assertEquals(7, s.maxCallsPerConnection);
        assertEquals(9, s.maxCallsPerIp);
        assertEquals(Duration.ofSeconds(1), s.rateLimitMaxWait);
        assertEquals(3, s.rateLimitMaxWaiting);
        assertEquals(2, s.callThreads);
    }

    @Test
    public void badLimitsAreNamed() {
        String[][] cases = {{"--max-connections", "-1"}, {"--max-calls-per-ip", "many"}, {"--trusted-proxies", "10.0.0.0/33"},
            {"--trusted-proxies", "proxy.example.net"}, {"--idle-timeout", "0s"}, {"--call-threads", "0"},
            {"--rate-max-wait", "-1s"}};
        for (String[] args : cases) {
            try {
                CommandLine.parse(args).toSettings(null);
                fail(String.join(" ", args));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().startsWith(args[0] + ": "));
            }
        }
    }

    @Test
    public void etcdWithoutEndpointsOrWithMixedSchemesIsRefused() {
        for (String[] args : new String[][] {{"--state", "etcd"}, {"--state", "etcd", "--etcd-endpoints",
            "http://a:2379,https://b:2379"}, {"--state", "etcd", "--etcd-endpoints", "http://a:2379", "--etcd-ca", "/ca"},
            {"--state", "etcd", "--etcd-endpoints", "http://a"}}) {
            try {
                CommandLine.parse(args).toSettings(null);
                fail(String.join(" ", args));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains("etcd"));
            }
        }
    }

    @Test
    public void etcdStateAndCaps() {
        ServerSettings s = CommandLine.parse(new String[] {"--state", "etcd", "--etcd-endpoints",
                "http://10.0.0.1:2379, http://[fd00::2]:2379,10.0.0.3:2379", "--etcd-prefix", "/fleet-a",
                "--etcd-user", "discovery", "--etcd-password-file", "/run/secrets/etcd", "--etcd-timeout", "3s",
                "--max-clusters", "50", "--max-affiliates", "5000"}).toSettings(null);
        assertEquals(3, s.etcd.endpoints().size());
        assertEquals(2379, s.etcd.endpoints().get(1).getPort());
        assertEquals("/fleet-a/", s.etcd.prefix());
        assertEquals("discovery", s.etcd.user());
        assertEquals(Duration.ofSeconds(3), s.etcd.requestTimeout());
        assertTrue(!s.etcd.tls());
        assertEquals(50, s.limits.maxClusters());
        assertEquals(5000, s.limits.maxAffiliates());
        ServerSettings d = CommandLine.parse(new String[0]).toSettings(null);
        assertNull("memory by default", d.etcd);
        assertEquals(10_000, d.limits.maxClusters());
        assertEquals(100_000, d.limits.maxAffiliates());
        ServerSettings tls = CommandLine.parse(new String[] {"--state=etcd", "--etcd-endpoints=https://e1:2379",
                "--etcd-ca=/ca.pem", "--etcd-cert=/c.pem", "--etcd-key=/k.pem"}).toSettings(null);
        assertTrue(tls.etcd.tls());
        assertEquals(Path.of("/ca.pem"), tls.etcd.caFile());
    }

    @Test
    public void badFlagsAreNamed() {
        String[][] cases = {{"--nope"}, {"--addr", "3000"}, {"--gc-interval", "soon"}, {"--certificate-path", "/c"},
            {"--snapshots-enabled=maybe"}, {"--state", "redis"}, {"--etcd-endpoints", "10.0.0.1:2379"},
            {"--max-clusters", "0"}, {"--max-affiliates", "many"}};
        for (String[] args : cases) {
            try {
                CommandLine.parse(args).toSettings(null);
                fail(String.join(" ", args));
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage(), e.getMessage().contains(args[0].replaceFirst("=.*", "").replace("--", ""))
                        || e.getMessage().contains("--state"));
            }
        }
    }
}
