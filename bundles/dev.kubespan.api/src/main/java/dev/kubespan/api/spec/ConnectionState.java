package dev.kubespan.api.spec;

import java.util.Locale;

/** Where a registry's connection stands; shown in lower case ({@code connected}). */
public enum ConnectionState {
    /** Opening the connection or waiting for the first answer. */
    CONNECTING,
    /** Connected: affiliates are exchanged. */
    CONNECTED,
    /** The last attempt failed; the next one is scheduled. */
    BACKOFF,
    /** Waiting for something the registry needs first (e.g. the node's identity). */
    WAITING,
    /** Switched off by the configuration. */
    DISABLED;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }
}
