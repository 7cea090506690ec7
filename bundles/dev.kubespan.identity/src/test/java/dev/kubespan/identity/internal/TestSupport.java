package dev.kubespan.identity.internal;

import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import org.osgi.service.log.Logger;

import dev.kubespan.api.Watch;
import dev.kubespan.api.net.AddressInfo;
import dev.kubespan.api.net.HostNetwork;
import dev.kubespan.api.net.LinkInfo;
import dev.kubespan.api.spec.KubeSpanConfig;

/** Test doubles: a host network whose links the test sets, and a logger that records. */
final class TestSupport {
    private TestSupport() {
    }

    static KubeSpanConfig config(boolean enabled, String clusterId) {
        return new KubeSpanConfig(enabled, clusterId, "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0MTI=", true, false, 0,
                List.of(), false, List.of(), List.of(), 0, List.of(), null, null, null);
    }

    /** Waits for a condition (not a timing assertion: the deadline only bounds a hung test). */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
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

    /** Log lines as "LEVEL message". */
    static final class RecordingLog {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(),
                new Class<?>[] { Logger.class }, (proxy, m, args) -> {
                    switch (m.getName()) {
                        case "trace", "debug", "info", "warn", "error", "audit" -> {
                            StringBuilder sb = new StringBuilder(m.getName().toUpperCase()).append(' ')
                                    .append(args[0]);
                            for (int i = 1; i < args.length; i++) {
                                Object a = args[i];
                                if (a instanceof Object[] arr) {
                                    for (Object o : arr) {
                                        sb.append(" | ").append(o);
                                    }
                                } else {
                                    sb.append(" | ").append(a);
                                }
                            }
                            lines.add(sb.toString());
                            return null;
                        }
                        case "getName" -> {
                            return "test";
                        }
                        case "toString" -> {
                            return "RecordingLog";
                        }
                        case "hashCode" -> {
                            return System.identityHashCode(proxy);
                        }
                        case "equals" -> {
                            return proxy == args[0];
                        }
                        default -> {
                            return m.getReturnType() == boolean.class ? Boolean.TRUE : null;
                        }
                    }
                });

        boolean has(String prefix) {
            return lines.stream().anyMatch(l -> l.startsWith(prefix));
        }

        long count(String prefix) {
            return lines.stream().filter(l -> l.startsWith(prefix)).count();
        }

        String all() {
            return String.join("\n", lines);
        }
    }
}
