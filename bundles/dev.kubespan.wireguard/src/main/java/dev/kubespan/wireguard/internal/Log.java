package dev.kubespan.wireguard.internal;

/**
 * The little logging the WireGuard classes need, so they run with the OSGi logger in the
 * framework and with a plain sink in tests and the benchmark.
 */
public interface Log {

    void debug(String message);

    void info(String message);

    void warn(String message);

    void error(String message, Throwable t);

    static Log of(org.osgi.service.log.Logger logger) {
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
            public void error(String message, Throwable t) {
                if (t == null) {
                    logger.error(message);
                } else {
                    logger.error(message, t);
                }
            }
        };
    }

    /** Writes to standard error; for tests and the benchmark. */
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
            public void error(String message, Throwable t) {
                System.err.println(prefix + " ERROR " + message + (t == null ? "" : ": " + t));
            }
        };
    }
}
