package dev.kubespan.discovery.service.internal;

import org.osgi.service.log.Logger;

/** The few log calls this bundle makes, so tests can capture them without an OSGi log service. */
public interface Log {
    void debug(String message);

    void info(String message);

    void warn(String message);

    static Log of(Logger logger) {
        return new Log() {
            @Override
            public void debug(String message) {
                logger.debug(message);
            }

            @Override
            public void info(String message) {
                logger.info(message);
            }

            @Override
            public void warn(String message) {
                logger.warn(message);
            }
        };
    }

    /** Standard error, for tests. */
    static Log console(String prefix) {
        return new Log() {
            @Override
            public void debug(String message) {
            }

            @Override
            public void info(String message) {
                System.err.println(prefix + " INFO " + message);
            }

            @Override
            public void warn(String message) {
                System.err.println(prefix + " WARN " + message);
            }
        };
    }
}
