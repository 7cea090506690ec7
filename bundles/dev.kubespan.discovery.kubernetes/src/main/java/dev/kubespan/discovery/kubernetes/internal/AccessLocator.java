package dev.kubespan.discovery.kubernetes.internal;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the API server access from the {@code kubeconfig} setting, re-evaluated on every
 * connection attempt so that a file that appears or changes later is picked up:
 * <ol>
 * <li>{@code in-cluster}: the pod's service account;</li>
 * <li>a path (relative to {@code ${kubespan.home}}): that kubeconfig;</li>
 * <li>empty: the first existing file of {@code $KUBECONFIG}, else
 * {@code ${kubespan.home}/etc/kubeconfig} if it exists, else the service account when running in
 * a pod.</li>
 * </ol>
 */
final class AccessLocator {
    static final String IN_CLUSTER = "in-cluster";
    static final String DEFAULT_FILE = "etc/kubeconfig";

    private final String configured;
    private final Path home;
    private final Map<String, String> env;
    private final Path serviceAccountDir;

    AccessLocator(String configured, Path home, Map<String, String> env, Path serviceAccountDir) {
        this.configured = configured == null ? "" : configured.trim();
        this.home = home;
        this.env = Map.copyOf(env);
        this.serviceAccountDir = serviceAccountDir;
    }

    ClusterAccess load() throws ClusterAccessException {
        if (configured.equalsIgnoreCase(IN_CLUSTER)) {
            return InCluster.load(env, serviceAccountDir);
        }
        if (!configured.isEmpty()) {
            return KubeConfigFile.load(home.resolve(configured));
        }
        String list = env.getOrDefault("KUBECONFIG", "").trim();
        if (!list.isEmpty()) {
            List<Path> candidates = new ArrayList<>();
            for (String entry : list.split(File.pathSeparator)) {
                if (!entry.isBlank()) {
                    Path p = home.resolve(entry.trim());
                    if (Files.exists(p)) {
                        return KubeConfigFile.load(p);
                    }
                    candidates.add(p);
                }
            }
            throw new ClusterAccessException("none of the $KUBECONFIG files exists: " + candidates);
        }
        Path local = home.resolve(DEFAULT_FILE);
        if (Files.exists(local)) {
            return KubeConfigFile.load(local);
        }
        if (InCluster.detected(env)) {
            return InCluster.load(env, serviceAccountDir);
        }
        throw new ClusterAccessException("no kubeconfig: set 'kubeconfig' in PID " + KubernetesRegistryComponent.PID
                + ", or $KUBECONFIG, or create " + local + ", or run in a pod with a service account");
    }

    /** What will be tried, for the status while nothing could be loaded. */
    String describe() {
        if (!configured.isEmpty()) {
            return configured.equalsIgnoreCase(IN_CLUSTER) ? IN_CLUSTER : home.resolve(configured).toString();
        }
        String list = env.getOrDefault("KUBECONFIG", "").trim();
        if (!list.isEmpty()) {
            return list;
        }
        Path local = home.resolve(DEFAULT_FILE);
        return Files.exists(local) || !InCluster.detected(env) ? local.toString() : IN_CLUSTER;
    }
}
