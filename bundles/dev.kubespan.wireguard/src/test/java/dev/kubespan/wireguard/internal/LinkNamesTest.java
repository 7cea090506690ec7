package dev.kubespan.wireguard.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

public class LinkNamesTest {

    @Test
    public void acceptsInterfaceNames() {
        assertEquals("kubespan", LinkNames.check("kubespan"));
        assertEquals("wg-0.a_b", LinkNames.check("wg-0.a_b"));
        assertEquals("a23456789012345", LinkNames.check("a23456789012345"));
    }

    @Test
    public void rejectsWhatWouldEscapeAPathOrArgv() {
        for (String bad : new String[] { null, "", "a234567890123456", "../x", "a/b", "-f", ".", "..", "wg 0",
                "wg\n0" }) {
            assertThrows(String.valueOf(bad), IllegalArgumentException.class, () -> LinkNames.check(bad));
        }
    }
}
