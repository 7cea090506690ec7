package dev.kubespan.identity.internal;

import static org.junit.Assert.assertArrayEquals;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertThrows;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class Eui64Test {

    @Test
    public void eui48IsSplitByFffeAndFlipsTheUniversalLocalBit() {
        assertEquals("e8:71:1b:ff:fe:b2:cc:ee", Eui64.format(Eui64.interfaceId(Eui64.parseMac("ea:71:1b:b2:cc:ee"))));
        assertEquals("02:00:5e:ff:fe:00:53:01", Eui64.format(Eui64.interfaceId(Eui64.parseMac("00:00:5e:00:53:01"))));
    }

    @Test
    public void eui64IsTakenAsIs() {
        assertEquals("00:11:22:33:44:55:66:77",
                Eui64.format(Eui64.interfaceId(Eui64.parseMac("02:11:22:33:44:55:66:77"))));
    }

    @Test
    public void parsesEitherCaseAndSingleDigits() {
        assertArrayEquals(new byte[] { (byte) 0xea, 0x01, 0, 0, 0, (byte) 0xff }, Eui64.parseMac("EA:1:00:0:00:fF"));
    }

    @Test
    public void rejectsNonHex() {
        assertThrows(IllegalArgumentException.class, () -> Eui64.parseMac("zz:00:00:00:00:00"));
        assertThrows(IllegalArgumentException.class, () -> Eui64.parseMac("0000.0000.0000"));
        assertThrows(IllegalArgumentException.class, () -> Eui64.parseMac(""));
        assertThrows(IllegalArgumentException.class, () -> Eui64.parseMac("00:11::22:33:44"));
    }

    @Test
    public void rejectsOtherLengths() {
        assertThrows(IllegalArgumentException.class, () -> Eui64.interfaceId(new byte[4]));
        assertThrows(IllegalArgumentException.class, () -> Eui64.interfaceId(new byte[16]));
    }

    @Test
    public void unicastAndZero() {
        assertTrue(Eui64.isUnicast(Eui64.parseMac("02:00:00:00:00:01")));
        assertFalse(Eui64.isUnicast(Eui64.parseMac("01:00:5e:00:00:01")));
        assertTrue(Eui64.isZero(new byte[6]));
        assertFalse(Eui64.isZero(Eui64.parseMac("00:00:00:00:00:01")));
    }
}
