package dev.kubespan.api.net;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class NetValuesTest {

    @Test
    public void parsesAndFormatsPrefixes() {
        assertEquals("10.0.0.5/24", IpPrefix.parse("10.0.0.5/24").toString());
        assertEquals("10.0.0.0/24", IpPrefix.parse("10.0.0.5/24").masked().toString());
        assertEquals("192.0.2.1/32", IpPrefix.parse("192.0.2.1").toString());
        assertEquals("fd7f:175a:b97c:5602::/64", IpPrefix.parse("FD7F:175A:B97C:5602:0:0:0:0/64").toString());
        assertEquals("2001:db8::1:0:0:1/128", IpPrefix.parse("2001:db8:0:0:1:0:0:1").toString());
        assertEquals("::/0", IpPrefix.parse("::/0").toString());
    }

    @Test
    public void rejectsBadPrefixes() {
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.256/8"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("example.com/8"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse("10.0.0.0/x"));
        assertThrows(IllegalArgumentException.class, () -> IpPrefix.parse(""));
    }

    @Test
    public void containmentAndOrder() {
        IpPrefix p = IpPrefix.parse("10.1.0.0/16");
        assertTrue(p.contains(IpPrefix.parse("10.1.2.3")));
        assertFalse(p.contains(IpPrefix.parse("10.2.0.0/16")));
        assertTrue(p.overlaps(IpPrefix.parse("10.0.0.0/8")));
        assertFalse(p.contains(IpPrefix.parse("::1").address()));
        assertTrue(IpPrefix.parse("10.0.0.0/8").compareTo(IpPrefix.parse("::/0")) < 0);
    }

    @Test
    public void endpoints() {
        assertEquals("192.0.2.1:51820", Endpoint.parse("192.0.2.1:51820").toString());
        assertEquals("[2001:db8::1]:51820", Endpoint.parse("[2001:DB8:0::1]:51820").toString());
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("2001:db8::1:51820"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("host.example:51820"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.1:0"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.1:70000"));
        assertThrows(IllegalArgumentException.class, () -> Endpoint.parse("192.0.2.1"));
    }
}
