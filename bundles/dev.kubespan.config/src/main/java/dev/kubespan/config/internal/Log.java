package dev.kubespan.config.internal;

/** The few log calls this bundle makes; the component adapts the OSGi Logger, tests record them. */
interface Log {
    void info(String message);

    void warn(String message);

    void error(String message);
}
