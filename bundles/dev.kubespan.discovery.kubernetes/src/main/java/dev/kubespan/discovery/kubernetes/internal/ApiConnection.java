package dev.kubespan.discovery.kubernetes.internal;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The current API client, shared by the watch thread and the push on the reconcile thread. The
 * access is re-read on request (every watch (re)start), and the client is only replaced when the
 * access really changed, e.g. a rotated certificate or a new server.
 */
final class ApiConnection implements AutoCloseable {
    private final AccessLocator locator;
    private final ObjectMapper json;
    private final RegistryState state;
    private KubeApiClient client;
    private boolean closed;

    ApiConnection(AccessLocator locator, ObjectMapper json, RegistryState state) {
        this.locator = locator;
        this.json = json;
        this.state = state;
        state.endpoint(locator.describe());
    }

    /** The client; with {@code reload}, the access is read again first. */
    KubeApiClient client(boolean reload) throws ClusterAccessException {
        KubeApiClient old;
        KubeApiClient fresh;
        synchronized (this) {
            if (closed) {
                throw new ClusterAccessException("registry stopped");
            }
            if (client != null && !reload) {
                return client;
            }
            ClusterAccess access;
            try {
                access = locator.load();
            } catch (ClusterAccessException e) {
                state.endpoint(locator.describe());
                throw e;
            }
            state.endpoint(endpointText(access));
            if (client != null && client.access().equals(access)) {
                return client;
            }
            old = client;
            fresh = new KubeApiClient(access, json);
            client = fresh;
        }
        if (old != null) {
            old.close();
        }
        return fresh;
    }

    static String endpointText(ClusterAccess access) {
        String s = access.server().toString();
        return InCluster.SOURCE.equals(access.source()) ? s + " (in-cluster)" : s;
    }

    void abortStreams() {
        KubeApiClient c;
        synchronized (this) {
            c = client;
        }
        if (c != null) {
            c.abortStreams();
        }
    }

    @Override
    public void close() {
        KubeApiClient c;
        synchronized (this) {
            closed = true;
            c = client;
            client = null;
        }
        if (c != null) {
            c.close();
        }
    }
}
