package dev.kubespan.discovery.kubernetes.internal;

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
}
