package dev.kubespan.wireguard.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.Test;

import dev.kubespan.api.wireguard.Backend;

public class BackendChoiceTest {

    @Test
    public void autoWithoutKernelWireGuardIsUserspace() {
        BackendChoice c = BackendChoice.choose("auto", () -> false, false);
        assertEquals(Backend.USERSPACE, c.backend());
        assertTrue(c.available());
        assertTrue(c.reason(), c.reason().contains("not found"));
    }

    @Test
    public void autoWithKernelWireGuardFallsBackToUserspaceAndSaysWhy() {
        BackendChoice c = BackendChoice.choose("auto", () -> true, false);
        assertEquals(Backend.USERSPACE, c.backend());
        assertTrue(c.reason(), c.reason().contains("no kernel backend yet"));
    }

    @Test
    public void autoTakesTheKernelOnceThereIsAKernelBackend() {
        assertEquals(Backend.KERNEL, BackendChoice.choose("auto", () -> true, true).backend());
        assertEquals(Backend.USERSPACE, BackendChoice.choose("auto", () -> false, true).backend());
    }

    @Test
    public void forcedUserspaceDoesNotProbe() {
        AtomicInteger probes = new AtomicInteger();
        BackendChoice c = BackendChoice.choose(" Userspace ", () -> probes.incrementAndGet() > 0, true);
        assertEquals(Backend.USERSPACE, c.backend());
        assertEquals(0, probes.get());
    }

    @Test
    public void forcedKernelWithoutKernelBackendIsUnavailableNotSomethingElse() {
        BackendChoice c = BackendChoice.choose("kernel", () -> true, false);
        assertEquals(Backend.KERNEL, c.backend());
        assertFalse(c.available());
        assertTrue(c.reason(), c.reason().contains("forced"));
    }

    @Test
    public void unknownValueIsNamedAndAutoIsUsed() {
        BackendChoice c = BackendChoice.choose("wireguard", () -> false, false);
        assertEquals(Backend.USERSPACE, c.backend());
        assertTrue(c.reason(), c.reason().contains("unknown backend 'wireguard'"));
    }

    @Test
    public void emptyIsAuto() {
        assertEquals(Backend.KERNEL, BackendChoice.choose("", () -> true, true).backend());
        assertEquals(Backend.KERNEL, BackendChoice.choose(null, () -> true, true).backend());
    }

    @Test
    public void failedProbeFallsBackToUserspace() {
        BackendChoice c = BackendChoice.choose("auto", () -> {
            throw new IllegalStateException("no netlink");
        }, true);
        assertEquals(Backend.USERSPACE, c.backend());
        assertTrue(c.reason(), c.reason().contains("no netlink"));
    }
}
