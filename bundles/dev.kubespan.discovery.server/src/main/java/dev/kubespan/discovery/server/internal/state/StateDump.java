package dev.kubespan.discovery.server.internal.state;

import java.util.List;

/**
 * The whole state in a form for persistence: expirations as remaining lifetimes, so a dump taken
 * before a restart is restored relative to the new start time.
 */
public record StateDump(List<ClusterDump> clusters) {
    public StateDump {
        clusters = List.copyOf(clusters);
    }

    public record ClusterDump(String id, List<AffiliateDump> affiliates) {
        public ClusterDump {
            affiliates = List.copyOf(affiliates);
        }
    }

    public record AffiliateDump(String id, Blob data, long remainingMillis, List<EndpointDump> endpoints) {
        public AffiliateDump {
            endpoints = List.copyOf(endpoints);
        }
    }

    public record EndpointDump(Blob data, long remainingMillis) {
    }

    public int affiliateCount() {
        return clusters.stream().mapToInt(c -> c.affiliates().size()).sum();
    }

    public int endpointCount() {
        return clusters.stream().flatMap(c -> c.affiliates().stream()).mapToInt(a -> a.endpoints().size()).sum();
    }
}
