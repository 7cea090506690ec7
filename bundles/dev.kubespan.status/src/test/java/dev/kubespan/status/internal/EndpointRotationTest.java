package dev.kubespan.status.internal;

import static org.junit.Assert.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.Test;

public class EndpointRotationTest {
    private static final String A = "192.0.2.1:51820";
    private static final String B = "198.51.100.2:51820";
    private static final String C = "[2001:db8::3]:51820";
    private static final List<String> ABC = List.of(A, B, C);

    @Test
    public void emptyListPicksNothing() {
        assertEquals(Optional.empty(), EndpointRotation.next(List.of(), "", ""));
        assertEquals(Optional.empty(), EndpointRotation.next(List.of(), A, A));
    }

    @Test
    public void nothingUsedYetPicksTheFirst() {
        assertEquals(Optional.of(A), EndpointRotation.next(ABC, "", ""));
        assertEquals(Optional.of(A), EndpointRotation.next(ABC, "", C));
    }

    @Test
    public void advancesInOrderAndWrapsAround() {
        assertEquals(Optional.of(B), EndpointRotation.next(ABC, A, ""));
        assertEquals(Optional.of(C), EndpointRotation.next(ABC, B, B));
        assertEquals(Optional.of(A), EndpointRotation.next(ABC, C, C));
    }

    @Test
    public void aLastUsedEndpointNoLongerListedRestartsAtTheFirst() {
        assertEquals(Optional.of(A), EndpointRotation.next(ABC, "203.0.113.9:51820", "203.0.113.9:51820"));
    }

    @Test
    public void theRoamedActualEndpointDoesNotChangeTheOrder() {
        assertEquals(Optional.of(B), EndpointRotation.next(ABC, A, "203.0.113.9:4000"));
    }

    @Test
    public void singleEndpointAlreadyInPlacePicksNothing() {
        assertEquals(Optional.empty(), EndpointRotation.next(List.of(A), A, A));
    }

    @Test
    public void singleEndpointNotInPlaceIsPickedAgain() {
        assertEquals(Optional.of(A), EndpointRotation.next(List.of(A), A, ""));
        assertEquals(Optional.of(A), EndpointRotation.next(List.of(A), A, B));
        assertEquals(Optional.of(A), EndpointRotation.next(List.of(A), B, B));
        assertEquals(Optional.of(A), EndpointRotation.next(List.of(A), "", A));
    }

    @Test
    public void twoEndpointsAlternate() {
        assertEquals(Optional.of(B), EndpointRotation.next(List.of(A, B), A, A));
        assertEquals(Optional.of(A), EndpointRotation.next(List.of(A, B), B, B));
    }
}
