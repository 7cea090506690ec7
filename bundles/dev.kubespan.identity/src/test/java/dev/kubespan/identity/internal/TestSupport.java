package dev.kubespan.identity.internal;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.kubespan.api.Watch;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.KubeSpanConfig;

/** Test doubles: a host network whose links the test sets. */
final class TestSupport {
    private TestSupport() {
    }

    static KubeSpanConfig config(boolean enabled, String clusterId) {
        return KubeSpanConfig.builder().enabled(enabled).clusterId(clusterId)
                .sharedSecret("c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=").forceRouting(true).build();
    }

    static final class FakeHostNetwork implements HostNetwork {
        private volatile List<LinkInfo> links = List.of();
        private final List<Runnable> listeners = new CopyOnWriteArrayList<>();

        void setLinks(LinkInfo... l) {
            links = List.of(l);
            listeners.forEach(Runnable::run);
        }

        int listenerCount() {
            return listeners.size();
        }

        @Override
        public List<LinkInfo> links() {
            return links;
        }

        @Override
        public Optional<LinkInfo> link(String name) {
            return links.stream().filter(l -> l.name().equals(name)).findFirst();
        }

        @Override
        public List<AddressInfo> addresses() {
            return List.of();
        }

        @Override
        public Watch onChange(Runnable listener) {
            listeners.add(listener);
            return () -> listeners.remove(listener);
        }
    }
}
