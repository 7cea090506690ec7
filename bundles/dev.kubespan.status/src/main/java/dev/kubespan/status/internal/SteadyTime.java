package dev.kubespan.status.internal;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import dev.kubespan.api.controller.SteadyClock;
import dev.kubespan.api.spec.Times;

/**
 * The status controller's timeline: the wall clock of its first pass plus the monotonic time
 * since, so that ages and deadlines do not jump when the wall clock is stepped (an operator's
 * {@code date -s}, a first NTP sync). Until a step the timeline and the wall clock agree.
 *
 * <p>Instants the controller is given on the wall clock — WireGuard's last handshake, a status'
 * {@code lastEndpointChange}, a path probe's answer — are placed on it by {@link Stamps}: the
 * first time a value is seen, its age is the wall clock's difference, clamped to at least zero
 * (a time in the future is "just now") and, when the key was looked at before, to at most the
 * time since that look (a value that changed since then cannot be older). From then on the
 * value keeps its place whatever the wall clock does.
 */
final class SteadyTime {
    /** Only {@link SteadyClock#at} is used: the controller reads the monotonic clock through its context. */
    private final SteadyClock origin;

    SteadyTime(Instant wallNow, long nanoNow) {
        origin = new SteadyClock(wallNow, nanoNow, System::nanoTime);
    }

    /** A reading of the monotonic clock on the timeline. */
    Instant at(long nanos) {
        return origin.at(nanos);
    }

    /** One reading of both clocks, taken once per pass. */
    record Now(Instant wall, Instant steady) {
        /** An instant on the timeline as an instant of the wall clock, for a wake-up. */
        Instant onWallClock(Instant steadyInstant) {
            return wall.plus(Duration.between(steady, steadyInstant));
        }
    }

    /** Where the wall-clock values of one kind, one per key, fall on the timeline. */
    static final class Stamps<K> {
        private record Placed(Instant wall, Instant steady, Instant lookedAt) {
        }

        private final Map<K, Placed> placed = new HashMap<>();

        /** {@code wall} on the timeline; {@link Times#ZERO} stays zero. */
        Instant place(K key, Instant wall, Now now) {
            Placed before = placed.get(key);
            if (before != null && before.wall.equals(wall)) {
                placed.put(key, new Placed(wall, before.steady, now.steady()));
                return before.steady;
            }
            Instant steady;
            if (Times.isZero(wall)) {
                steady = Times.ZERO;
            } else {
                Duration age = Duration.between(wall, now.wall());
                if (age.isNegative()) {
                    age = Duration.ZERO;
                }
                if (before != null) {
                    Duration sinceLook = Duration.between(before.lookedAt, now.steady());
                    if (age.compareTo(sinceLook) > 0) {
                        age = sinceLook;
                    }
                }
                steady = now.steady().minus(age);
            }
            placed.put(key, new Placed(wall, steady, now.steady()));
            return steady;
        }

        void retain(Set<K> keys) {
            placed.keySet().retainAll(keys);
        }

        void clear() {
            placed.clear();
        }
    }
}
