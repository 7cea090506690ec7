package dev.kubespan.api;

import org.osgi.annotation.versioning.ConsumerType;
import org.osgi.service.log.Logger;

/**
 * The few log calls KubeSpan's classes make, so the same class logs through the OSGi logger in
 * the framework and to a plain sink (or a recorder) in unit tests and benchmarks.
 */
@ConsumerType
public interface Log {

    void debug(String message);

    void info(String message);

    void warn(String message);

    /** {@code cause} may be null. */
    void error(String message, Throwable cause);

    /** Through the OSGi R7 logger. */
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

            @Override
            public void error(String message, Throwable cause) {
                if (cause == null) {
                    logger.error(message);
                } else {
                    logger.error(message, cause);
                }
            }
        };
    }

    /** To standard error with a prefix, debug dropped: for tests and benchmarks. */
    static Log console(String prefix) {
        return new Log() {
            @Override
            public void debug(String message) {
                // quiet
            }

            @Override
            public void info(String message) {
                System.err.println(prefix + " INFO " + message);
            }

            @Override
            public void warn(String message) {
                System.err.println(prefix + " WARN " + message);
            }

            @Override
            public void error(String message, Throwable cause) {
                System.err.println(prefix + " ERROR " + message);
                if (cause != null) {
                    cause.printStackTrace(System.err);
                }
            }
        };
    }
}
