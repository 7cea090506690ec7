package dev.kubespan.manager.internal;

/** The few log calls the controllers make, so they can be tested without an OSGi Logger. */
interface Log {
    void debug(String message);

    void info(String message);

    void warn(String message);

    void error(String message, Throwable cause);
}
