package dev.kubespan.discovery.server.internal.limit;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import org.junit.Test;

public class ActiveCallsTest {
    @Test
    public void capPerKeyAndKeysForgottenWhenIdle() {
        ActiveCalls calls = new ActiveCalls(2);
        assertTrue(calls.tryAcquire("a"));
        assertTrue(calls.tryAcquire("a"));
        assertFalse(calls.tryAcquire("a"));
        assertTrue(calls.tryAcquire("b"));
        assertEquals(3, calls.total());
        calls.release("a");
        assertTrue(calls.tryAcquire("a"));
        calls.release("a");
        calls.release("a");
        calls.release("b");
        assertEquals(0, calls.total());
        assertEquals(0, calls.of("a"));
    }
}
