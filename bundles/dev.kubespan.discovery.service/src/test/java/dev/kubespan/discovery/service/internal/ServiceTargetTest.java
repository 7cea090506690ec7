package dev.kubespan.discovery.service.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class ServiceTargetTest {

    @Test
    public void hostPortKeepsTheInsecureFlag() {
        ServiceTarget t = ServiceTarget.parse("discovery.talos.dev:443", false);
        assertEquals(new ServiceTarget("discovery.talos.dev", 443, false), t);
        assertTrue(ServiceTarget.parse("127.0.0.1:3000", true).insecure());
        assertEquals("127.0.0.1:3000", ServiceTarget.parse("127.0.0.1:3000", true).authority());
    }

    @Test
    public void urlFormsChooseTlsAndDefaultPorts() {
        assertEquals(new ServiceTarget("discovery.talos.dev", 443, false),
                ServiceTarget.parse("https://discovery.talos.dev/", false));
        assertEquals(new ServiceTarget("d.example", 80, true), ServiceTarget.parse("http://d.example", false));
        assertEquals(new ServiceTarget("d.example", 3000, true), ServiceTarget.parse("http://d.example:3000/", false));
        assertEquals(new ServiceTarget("d.example", 443, false), ServiceTarget.parse("grpc://d.example", false));
        assertEquals(new ServiceTarget("d.example", 443, false), ServiceTarget.parse("d.example", false));
    }

    @Test
    public void ipv6NeedsBrackets() {
        ServiceTarget t = ServiceTarget.parse("[::1]:3000", true);
        assertEquals("::1", t.host());
        assertEquals("[::1]:3000", t.authority());
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("::1:3000", true));
    }

    @Test
    public void badEndpointsAreRejectedWithTheirText() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ServiceTarget.parse("ftp://x", false));
        assertTrue(e.getMessage().contains("ftp://x"));
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("", false));
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("h:99999", false));
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("h:x", false));
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("https://h/path", false));
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("h o:1", false));
    }

    @Test
    public void redirectKeepsTlsSetting() {
        ServiceTarget t = ServiceTarget.parse("a.example:443", false).redirectTo("b.example:8443");
        assertEquals(new ServiceTarget("b.example", 8443, false), t);
        assertFalse(t.insecure());
        assertTrue(ServiceTarget.parse("http://a:80", false).redirectTo("b:81").insecure());
    }

    @Test
    public void replicasAreTriedInTurn() {
        ServiceTarget t = ServiceTarget.parse("http://10.0.0.1:3000,10.0.0.2:3000, [fd00::3]:3000", false);
        assertEquals("10.0.0.1:3000", t.authority());
        assertTrue(t.insecure());
        assertEquals(java.util.List.of("10.0.0.2:3000", "[fd00::3]:3000"), t.alternates());
        assertEquals("http://10.0.0.1:3000,10.0.0.2:3000,[fd00::3]:3000", t.toString());
        ServiceTarget second = t.next();
        assertEquals("10.0.0.2:3000", second.authority());
        assertTrue(second.insecure());
        ServiceTarget third = second.next();
        assertEquals("[fd00::3]:3000", third.authority());
        assertEquals(t.authority(), third.next().authority());
        ServiceTarget single = ServiceTarget.parse("d.example:443", false);
        assertTrue(single.next() == single);
        assertThrows(IllegalArgumentException.class, () -> ServiceTarget.parse("http://a:1,https://b:2", false));
        // a redirect names the one server to use from then on
        assertEquals(new ServiceTarget("b.example", 8443, true), t.redirectTo("b.example:8443"));
    }
}
