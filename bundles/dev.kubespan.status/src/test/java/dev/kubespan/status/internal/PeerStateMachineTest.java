package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

import org.junit.Test;

import dev.kubespan.api.spec.PeerState;
import dev.kubespan.api.spec.Times;

public class PeerStateMachineTest {
    private static final Instant NOW = Instant.parse("2026-11-26T12:00:00Z");
    private static final Instant ZERO = Times.ZERO;
    private static final String EP = "192.0.2.1:51820";
    private final PeerStateMachine machine = new PeerStateMachine(Duration.ofSeconds(275), Duration.ofSeconds(15));

    private static Instant ago(double seconds) {
        return NOW.minusMillis(Math.round(seconds * 1000));
    }

    /** One row of docs/kubespan-node.md §4.3: T0, last handshake, lastUsedEndpoint → expected state. */
    private record Row(String name, Instant t0, Instant handshake, String lastUsed, PeerState expected) {
    }

    @Test
    public void stateTable() {
        Row[] rows = {
            // brand-new status: both zero → first branch, down → overridden to unknown
            new Row("brand new", ZERO, ZERO, "", PeerState.UNKNOWN),
            new Row("never chosen, handshake recent (adopted tunnel)", ZERO, ago(10), "", PeerState.UP),
            // sinceEP > 275 s: up iff sinceHS < 275 s
            new Row("old change, recent handshake", ago(600), ago(100), EP, PeerState.UP),
            new Row("old change, handshake 274.999 s ago", ago(600), ago(274.999), EP, PeerState.UP),
            new Row("old change, handshake exactly 275 s ago", ago(600), ago(275), EP, PeerState.DOWN),
            new Row("old change, no handshake ever", ago(600), ZERO, EP, PeerState.DOWN),
            new Row("old change, stale handshake, never chosen → override", ago(600), ago(300), "",
                    PeerState.UNKNOWN),
            new Row("275.001 s since change, handshake before change but < 275 s ago", ago(275.001), ago(276),
                    EP, PeerState.DOWN),
            // sinceEP < 15 s: up iff handshake after T0, else unknown
            new Row("fresh change, handshake after it", ago(5), ago(4), EP, PeerState.UP),
            new Row("fresh change, handshake before it", ago(5), ago(6), EP, PeerState.UNKNOWN),
            new Row("fresh change, handshake at the same instant", ago(5), ago(5), EP, PeerState.UNKNOWN),
            new Row("fresh change, no handshake", ago(14.999), ZERO, EP, PeerState.UNKNOWN),
            new Row("just now", NOW, ZERO, EP, PeerState.UNKNOWN),
            // 15 s <= sinceEP <= 275 s: up iff handshake after T0, else down
            new Row("exactly at the connection timeout, no handshake", ago(15), ZERO, EP, PeerState.DOWN),
            new Row("middle, handshake before change", ago(100), ago(101), EP, PeerState.DOWN),
            new Row("middle, handshake after change", ago(100), ago(99), EP, PeerState.UP),
            new Row("exactly 275 s since change, handshake after it", ago(275), ago(270), EP, PeerState.UP),
            new Row("exactly 275 s since change, no handshake", ago(275), ZERO, EP, PeerState.DOWN),
            new Row("middle, no handshake, never chosen → override", ago(100), ZERO, "", PeerState.UNKNOWN),
        };
        for (Row r : rows) {
            assertEquals(r.name(), r.expected(), machine.stateOf(r.t0(), r.handshake(), r.lastUsed(), NOW));
        }
    }

    @Test
    public void usesTheConfiguredIntervals() {
        PeerStateMachine quick = new PeerStateMachine(Duration.ofSeconds(60), Duration.ofSeconds(5));
        assertEquals(PeerState.DOWN, quick.stateOf(ago(6), ZERO, EP, NOW));
        assertEquals(PeerState.UNKNOWN, machine.stateOf(ago(6), ZERO, EP, NOW));
        assertEquals(PeerState.DOWN, quick.stateOf(ago(600), ago(61), EP, NOW));
        assertEquals(PeerState.UP, machine.stateOf(ago(600), ago(61), EP, NOW));
    }

    @Test
    public void wakesJustAfterTheConnectionTimeoutOfAFreshChange() {
        Instant t0 = ago(3);
        assertEquals(Optional.of(t0.plusSeconds(15).plus(PeerStateMachine.WAKE_MARGIN)),
                machine.nextWake(t0, ZERO, NOW));
    }

    @Test
    public void afterTheTimeoutTheNextBoundaryIsTheHandshakeAge() {
        Instant t0 = ago(20);
        Instant hs = ago(18);
        assertEquals(Optional.of(hs.plusSeconds(275).plus(PeerStateMachine.WAKE_MARGIN)),
                machine.nextWake(t0, hs, NOW));
    }

    @Test
    public void crossingTheDownIntervalSinceTheChangeAloneNeverChangesTheState() {
        Instant t0 = ago(600);
        Instant boundary = t0.plusSeconds(275);
        for (long offset : new long[] { -400, -275, -1, 0, 1, 10, 274 }) {
            Instant hs = t0.plusSeconds(offset);
            assertEquals("handshake at T0" + offset + " s", machine.stateOf(t0, hs, EP, boundary),
                    machine.stateOf(t0, hs, EP, boundary.plusNanos(1)));
        }
        assertEquals(machine.stateOf(t0, ZERO, EP, boundary), machine.stateOf(t0, ZERO, EP, boundary.plusNanos(1)));
    }

    @Test
    public void aPeerThatHandshookAfterTheChangeDoesNotWakeAtTheConnectionTimeout() {
        Instant t0 = ago(3);
        Instant hs = ago(2);
        assertEquals(Optional.of(hs.plusSeconds(275).plus(PeerStateMachine.WAKE_MARGIN)),
                machine.nextWake(t0, hs, NOW));
    }

    @Test
    public void anEstablishedPeerWakesWhenItsHandshakeGetsTooOld() {
        Instant hs = ago(270);
        assertEquals(Optional.of(hs.plusSeconds(275).plus(PeerStateMachine.WAKE_MARGIN)),
                machine.nextWake(ZERO, hs, NOW));
    }

    @Test
    public void noWakeWhenEveryBoundaryIsPast() {
        assertFalse(machine.nextWake(ago(1000), ago(900), NOW).isPresent());
        assertFalse(machine.nextWake(ZERO, ZERO, NOW).isPresent());
    }

    @Test
    public void aWakeAtTheBoundaryLandsInTheNextBranch() {
        Instant t0 = ago(3);
        Instant wake = machine.nextWake(t0, ZERO, NOW).orElseThrow();
        assertEquals(PeerState.UNKNOWN, machine.stateOf(t0, ZERO, EP, wake.minus(PeerStateMachine.WAKE_MARGIN)
                .minusNanos(1)));
        assertEquals(PeerState.DOWN, machine.stateOf(t0, ZERO, EP, wake));
        Instant hs = ago(270);
        Instant wake2 = machine.nextWake(ZERO, hs, NOW).orElseThrow();
        assertEquals(PeerState.UP, machine.stateOf(ZERO, hs, EP, wake2.minus(PeerStateMachine.WAKE_MARGIN)
                .minusNanos(1)));
        assertEquals(PeerState.DOWN, machine.stateOf(ZERO, hs, EP, wake2));
    }
}
