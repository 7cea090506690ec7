package dev.kubespan.discovery.kubernetes.internal;

import java.time.Clock;
import java.time.Instant;

import dev.kubespan.api.Log;
import dev.kubespan.api.spec.ConnectionState;
import dev.kubespan.api.spec.RegistryStatus;
import dev.kubespan.api.spec.Times;

/**
 * The registry's health as the shell shows it: endpoint, state, last error and when. Written by
 * the watch and reconcile threads; every change asks for a reconcile, which publishes it as the
 * {@code RegistryStatus} resource. Warnings are logged once per outage; repeats go to debug.
 */
final class RegistryState {

    private final Clock clock;
    private final Log log;
    private final Runnable changed;
    private String endpoint = "";
    private ConnectionState state = ConnectionState.CONNECTING;
    private String lastError = "";
    private Instant lastErrorTime = Times.ZERO;
    private boolean outage;

    RegistryState(Clock clock, Log log, Runnable changed) {
        this.clock = clock;
        this.log = log;
        this.changed = changed;
    }

    void endpoint(String e) {
        boolean differs;
        synchronized (this) {
            differs = !e.equals(endpoint);
            endpoint = e;
        }
        if (differs) {
            changed.run();
        }
    }

    void state(ConnectionState s) {
        boolean differs;
        boolean recovered = false;
        synchronized (this) {
            differs = s != state;
            state = s;
            if (s == ConnectionState.CONNECTED && outage) {
                outage = false;
                recovered = true;
            }
        }
        if (recovered) {
            log.info("Kubernetes registry: watching Nodes at " + endpoint());
        }
        if (differs) {
            changed.run();
        }
    }

    void error(String message) {
        boolean first;
        synchronized (this) {
            lastError = message;
            lastErrorTime = clock.instant();
            first = !outage;
            outage = true;
        }
        if (first) {
            log.warn("Kubernetes registry: " + message);
        } else {
            log.debug("Kubernetes registry: " + message);
        }
        changed.run();
    }

    synchronized String endpoint() {
        return endpoint;
    }

    synchronized RegistryStatus status(int affiliates) {
        return new RegistryStatus(KubernetesRegistry.STATUS_ID, endpoint, state, affiliates, lastError, lastErrorTime);
    }
}
