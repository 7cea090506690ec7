package dev.kubespan.manager.internal;

import org.osgi.service.log.Logger;

/** {@link Log} over the OSGi R7 Logger. */
final class OsgiLog implements Log {
    private final Logger logger;

    OsgiLog(Logger logger) {
        this.logger = logger;
    }

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
}
