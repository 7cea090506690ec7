package dev.kubespan.discovery.server.internal;

/** Where the server core logs: the OSGi Logger in the bundle, stderr when standalone. */
public interface ServerLog {
    void info(String message);

    /** {@code cause} may be null. */
    void warn(String message, Throwable cause);

    default void warn(String message) {
        warn(message, null);
    }

    void debug(String message);

    /** Logs to stderr with a timestamp; debug lines only when {@code debug} is set. */
    static ServerLog stderr(boolean debug) {
        return new ServerLog() {
            private void print(String level, String message, Throwable cause) {
                System.err.println(java.time.Instant.now() + " " + level + " " + message
                        + (cause == null ? "" : ": " + cause));
            }

            @Override
            public void info(String message) {
                print("INFO ", message, null);
            }

            @Override
            public void warn(String message, Throwable cause) {
                print("WARN ", message, cause);
            }

            @Override
            public void debug(String message) {
                if (debug) {
                    print("DEBUG", message, null);
                }
            }
        };
    }
}
