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

    /**
     * A warning with the failure behind it ({@code cause} may be null). The default appends the
     * cause to the message; the framework and console logs keep its stack trace.
     */
    default void warn(String message, Throwable cause) {
        warn(cause == null ? message : message + ": " + cause);
    }

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
            public void warn(String message, Throwable cause) {
                if (cause == null) {
                    logger.warn(message);
                } else {
                    logger.warn(message, cause);
                }
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
        return console(prefix, false);
    }

    /**
     * To standard error, each line with its time and {@code prefix}, debug lines only when
     * {@code debug} is set: for tests, benchmarks and the processes that run without a framework
     * (the standalone discovery server).
     */
    static Log console(String prefix, boolean debug) {
        return new Log() {
            private void print(String level, String message, Throwable cause) {
                synchronized (System.err) {
                    System.err.println(java.time.Instant.now() + " " + prefix + " " + level + " " + message);
                    if (cause != null) {
                        cause.printStackTrace(System.err);
                    }
                }
            }

            @Override
            public void debug(String message) {
                if (debug) {
                    print("DEBUG", message, null);
                }
            }

            @Override
            public void info(String message) {
                print("INFO", message, null);
            }

            @Override
            public void warn(String message) {
                print("WARN", message, null);
            }

            @Override
            public void warn(String message, Throwable cause) {
                print("WARN", message, cause);
            }

            @Override
            public void error(String message, Throwable cause) {
                print("ERROR", message, cause);
            }
        };
    }
}
