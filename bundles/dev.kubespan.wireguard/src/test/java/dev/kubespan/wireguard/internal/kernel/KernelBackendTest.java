package dev.kubespan.wireguard.internal.kernel;

import static dev.kubespan.wireguard.internal.kernel.SetDeviceMessagesTest.key;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;

import org.junit.After;
import org.junit.Before;
import org.junit.Test;

import dev.kubespan.api.net.IpPrefix;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.net.NetworkException;
import dev.kubespan.api.wireguard.Backend;
import dev.kubespan.api.wireguard.WireGuardException;
import dev.kubespan.net.netlink.Errno;
import dev.kubespan.net.netlink.GenericNetlink;
import dev.kubespan.net.netlink.NetlinkMessage;
import dev.kubespan.net.netlink.NetlinkRequest;
import dev.kubespan.test.RecordingLog;
import dev.kubespan.wireguard.internal.DeviceChange;
import dev.kubespan.wireguard.internal.LinkAccess;
import dev.kubespan.wireguard.internal.PeerChange;

/**
 * The backend's own logic (family id caching and re-resolution, fragment sending, error mapping,
 * link creation, adoption through markers) against a scripted transport and in-memory links.
 * The real kernel path is proven in {@code itests/kernel-vm}.
 */
public class KernelBackendTest {
    private Path runtime;
    private FakeGenl genl;
    private FakeLinks links;
    private KernelBackend backend;

    @Before
    public void setUp() throws IOException {
        runtime = Files.createTempDirectory("ks-kernel-test");
        genl = new FakeGenl();
        links = new FakeLinks();
        backend = new KernelBackend(genl, links, runtime, new RecordingLog(), 512);
    }

    @After
    public void tearDown() throws IOException {
        try (var files = Files.walk(runtime)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    static DeviceChange bigChange(int peers) {
        List<PeerChange> list = new ArrayList<>();
        for (int i = 0; i < peers; i++) {
            byte[] k = new byte[32];
            k[0] = (byte) i;
            k[1] = 7;
            list.add(new PeerChange(PeerChange.Kind.ADD, dev.kubespan.api.wireguard.Key.fromBytes(k), key(0x33), null,
                    Duration.ofSeconds(25), List.of(IpPrefix.parse("fd00::" + Integer.toHexString(i + 1) + "/128"))));
        }
        return new DeviceChange(key(0x11), 51820, null, list);
    }

    @Test
    public void setSendsEveryFragmentInOrderWithTheResolvedFamily() {
        genl.familyIds.add(OptionalInt.of(0x21));
        DeviceChange change = bigChange(12);
        backend.set("wg0", change);
        List<NetlinkRequest> expected = SetDeviceMessages.encode(0x21, "wg0", change, false, 512);
        assertTrue("fragmented: " + expected.size(), expected.size() > 2);
        assertEquals(expected.size(), genl.sent.size());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(HexFormat.of().formatHex(expected.get(i).encode(1, 0)),
                    HexFormat.of().formatHex(genl.sent.get(i).encode(1, 0)));
        }
        backend.set("wg0", DeviceChange.ofPeers(List.of(PeerChange.remove(key(0x44)))));
        assertEquals("the family id is cached", 1, genl.resolves);
    }

    @Test
    public void staleFamilyIdIsResolvedAgainAndTheFailedMessageResent() {
        genl.familyIds.add(OptionalInt.of(0x21));
        genl.familyIds.add(OptionalInt.of(0x22));
        genl.answer = r -> {
            if (r.type() == 0x21) {
                throw new NetworkException("WireGuard set device wg0: No such file or directory (ENOENT, errno 2)",
                        Errno.ENOENT);
            }
            return List.of();
        };
        DeviceChange change = bigChange(8);
        backend.set("wg0", change);
        int parts = SetDeviceMessages.encode(0x22, "wg0", change, false, 512).size();
        assertEquals(1 + parts, genl.sent.size());
        assertTrue(genl.sent.stream().skip(1).allMatch(r -> r.type() == 0x22));
        assertEquals(2, genl.resolves);
    }

    @Test
    public void enoentWithAnUnchangedFamilyIdIsAnError() {
        genl.familyIds.add(OptionalInt.of(0x21));
        genl.familyIds.add(OptionalInt.of(0x21));
        genl.answer = r -> {
            throw new NetworkException("WireGuard set device wg0: No such file or directory (ENOENT, errno 2)", 2);
        };
        WireGuardException e = assertThrows(WireGuardException.class,
                () -> backend.set("wg0", DeviceChange.ofPeers(List.of(PeerChange.remove(key(1))))));
        assertEquals(Errno.ENOENT, e.errno());
        assertEquals(1, genl.sent.size());
    }

    @Test
    public void withoutTheFamilyTheErrorSaysTheKernelHasNoWireGuard() {
        genl.familyIds.add(OptionalInt.empty());
        WireGuardException e = assertThrows(WireGuardException.class, () -> backend.read("wg0"));
        assertEquals(Errno.ENOENT, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("no WireGuard"));
    }

    @Test
    public void aFailingLaterFragmentIsNamedAndCarriesTheErrnoButNoKeys() {
        genl.familyIds.add(OptionalInt.of(0x21));
        int[] count = {0};
        genl.answer = r -> {
            if (++count[0] == 2) {
                throw new NetworkException("WireGuard set device wg0: Invalid argument (EINVAL, errno 22): bad cidr",
                        Errno.EINVAL);
            }
            return List.of();
        };
        DeviceChange change = bigChange(12);
        int parts = SetDeviceMessages.encode(0x21, "wg0", change, false, 512).size();
        WireGuardException e = assertThrows(WireGuardException.class, () -> backend.set("wg0", change));
        assertEquals(Errno.EINVAL, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("message 2 of " + parts));
        assertTrue(e.getMessage(), e.getMessage().contains("bad cidr"));
        assertFalse(e.getMessage().contains(key(0x11).toBase64()) || e.getMessage().contains(key(0x11).toHex()));
        assertEquals("stops at the failing message", 2, genl.sent.size());
    }

    @Test
    public void readOfAMissingLinkIsEmptyAndOfAnotherKindAnError() {
        genl.familyIds.add(OptionalInt.of(0x21));
        genl.answer = r -> {
            throw new NetworkException("WireGuard get device wg0: No such device (ENODEV, errno 19)", Errno.ENODEV);
        };
        assertEquals(Optional.empty(), backend.read("wg0"));
        genl.answer = r -> {
            throw new NetworkException("WireGuard get device eth0: Operation not supported (EOPNOTSUPP, errno 95)",
                    Errno.EOPNOTSUPP);
        };
        WireGuardException e = assertThrows(WireGuardException.class, () -> backend.read("eth0"));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("not a kernel WireGuard link"));
    }

    @Test
    public void readDecodesTheDump() {
        genl.familyIds.add(OptionalInt.of(0x15));
        genl.answer = r -> {
            assertEquals(WireGuardGenl.CMD_GET_DEVICE, GenericNetlink.command(parse(r)));
            return DeviceDumpTest.replies(DeviceDumpTest.FIRST, DeviceDumpTest.SECOND, DeviceDumpTest.DONE);
        };
        assertEquals(2, backend.read("wg0").orElseThrow().state().peers().size());
    }

    @Test
    public void ensureLinkCreatesAWireGuardLinkSetsMtuBringsItUpAndMarksIt() {
        backend.ensureLink("wg0", 1380);
        LinkInfo l = links.links.get("wg0");
        assertEquals("wireguard", l.kind());
        assertEquals(1380, l.mtu());
        assertTrue(l.up());
        assertTrue(Files.exists(runtime.resolve("wg0" + OwnedLinks.SUFFIX)));
        assertEquals(java.util.Set.of("wg0"), backend.links());
        assertEquals(Backend.KERNEL, backend.kind());
        int calls = links.calls;
        backend.ensureLink("wg0", 1380);
        assertEquals("nothing to change: only a lookup", calls + 1, links.calls);
    }

    @Test
    public void ensureLinkRefusesALinkOfAnotherKind() {
        links.links.put("wg0", new LinkInfo(3, "wg0", "bridge", 1, "", true, 1500));
        WireGuardException e = assertThrows(WireGuardException.class, () -> backend.ensureLink("wg0", 1420));
        assertEquals(Errno.EEXIST, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("'bridge'"));
        assertThrows(WireGuardException.class, () -> backend.deleteLink("wg0"));
        assertTrue("not deleted", links.links.containsKey("wg0"));
    }

    @Test
    public void ensureLinkWithoutTheWireGuardKindSaysSo() {
        links.createError = new NetworkException(
                "create link wg0 of kind wireguard: Operation not supported (EOPNOTSUPP, errno 95): Unknown device type",
                Errno.EOPNOTSUPP);
        WireGuardException e = assertThrows(WireGuardException.class, () -> backend.ensureLink("wg0", 1420));
        assertEquals(Errno.EOPNOTSUPP, e.errno());
        assertTrue(e.getMessage(), e.getMessage().contains("Unknown device type"));
        assertFalse(Files.exists(runtime.resolve("wg0" + OwnedLinks.SUFFIX)));
    }

    @Test
    public void adoptionTakesMarkedWireGuardLinksOnlyAndDropsStaleMarkers() throws IOException {
        links.links.put("ks-a", new LinkInfo(3, "ks-a", "wireguard", 65534, "", true, 1420));
        links.links.put("ks-c", new LinkInfo(4, "ks-c", "bridge", 1, "", true, 1500));
        links.links.put("other", new LinkInfo(5, "other", "wireguard", 65534, "", true, 1420));
        OwnedLinks marks = new OwnedLinks(runtime);
        marks.add("ks-a");
        marks.add("ks-b");
        marks.add("ks-c");
        Files.writeString(runtime.resolve("ks-x.pid"), "1\n"); // the userspace backend's files are not ours

        assertEquals(List.of("ks-a"), backend.adoptRunning());
        assertEquals(java.util.Set.of("ks-a"), backend.links());
        assertEquals(List.of("ks-a"), marks.links());
        assertEquals("adoption changes nothing on the link", 0, links.changes);
    }

    @Test
    public void closeKeepsOrDeletesTheManagedLinks() throws IOException {
        backend.ensureLink("wg0", 1420);
        backend.close(true);
        assertTrue(links.links.containsKey("wg0"));
        assertTrue(links.closed && genl.closed);
        assertThrows(WireGuardException.class, () -> backend.read("wg0"));

        KernelBackend next = new KernelBackend(new FakeGenl(), links, runtime, new RecordingLog(), 512);
        assertEquals(List.of("wg0"), next.adoptRunning());
        next.close(false);
        assertFalse(links.links.containsKey("wg0"));
        assertFalse(Files.exists(runtime.resolve("wg0" + OwnedLinks.SUFFIX)));
    }

    static NetlinkMessage parse(NetlinkRequest r) {
        byte[] b = r.encode(1, 0);
        return NetlinkMessage.parseAll(b, b.length).get(0);
    }

    static final class FakeGenl implements GenlTransport {
        final List<OptionalInt> familyIds = new ArrayList<>();
        final List<NetlinkRequest> sent = new ArrayList<>();
        Function<NetlinkRequest, List<NetlinkMessage>> answer = r -> List.of();
        int resolves;
        boolean closed;

        @Override
        public List<NetlinkMessage> request(NetlinkRequest request) {
            sent.add(request);
            return answer.apply(request);
        }

        @Override
        public OptionalInt resolve(String family) {
            assertEquals("wireguard", family);
            return familyIds.get(resolves++);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    static final class FakeLinks implements LinkAccess {
        final Map<String, LinkInfo> links = new LinkedHashMap<>();
        NetworkException createError;
        int calls;
        int changes;
        boolean closed;

        @Override
        public String namespaceId() {
            return "net:[test]";
        }

        @Override
        public Optional<LinkInfo> find(String name) {
            calls++;
            return Optional.ofNullable(links.get(name));
        }

        @Override
        public void create(String name, String kind) {
            calls++;
            changes++;
            if (createError != null) {
                throw createError;
            }
            links.putIfAbsent(name, new LinkInfo(links.size() + 10, name, kind, 65534, "", false, 1420));
        }

        @Override
        public void setMtu(String name, int mtu) {
            calls++;
            changes++;
            LinkInfo l = links.get(name);
            links.put(name, new LinkInfo(l.index(), name, l.kind(), l.type(), "", l.up(), mtu));
        }

        @Override
        public void setUp(String name, boolean up) {
            calls++;
            changes++;
            LinkInfo l = links.get(name);
            links.put(name, new LinkInfo(l.index(), name, l.kind(), l.type(), "", up, l.mtu()));
        }

        @Override
        public void delete(String name) {
            calls++;
            changes++;
            links.remove(name);
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
