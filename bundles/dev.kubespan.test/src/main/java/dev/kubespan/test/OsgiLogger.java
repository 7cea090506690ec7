package dev.kubespan.test;

import java.lang.reflect.Proxy;

import org.osgi.service.log.Logger;

import dev.kubespan.api.Log;

/**
 * An OSGi {@link Logger} for the DS components a test constructs itself (their constructors take
 * the logger the framework would inject), writing into a {@link Log} — usually a
 * {@link RecordingLog}. {@code {}} placeholders are filled from the arguments in order, and a
 * {@link Throwable} as the last argument is passed on as the cause, as the OSGi log service does.
 * Trace and audit go to debug and info.
 */
public final class OsgiLogger {
    private OsgiLogger() {
    }

    public static Logger of(Log log) {
        return (Logger) Proxy.newProxyInstance(OsgiLogger.class.getClassLoader(), new Class<?>[] {Logger.class},
                (proxy, method, args) -> {
                    String name = method.getName();
                    if (name.equals("getName")) {
                        return "test";
                    }
                    if (method.getReturnType() == boolean.class) {
                        return name.startsWith("is") && !name.equals("isTraceEnabled");
                    }
                    if (args == null || args.length == 0 || !(args[0] instanceof String format)) {
                        return null;
                    }
                    Object[] rest = args.length == 2 && args[1] instanceof Object[] a ? a
                            : java.util.Arrays.copyOfRange(args, 1, args.length);
                    Throwable cause = rest.length > 0 && rest[rest.length - 1] instanceof Throwable t ? t : null;
                    String message = fill(format, rest);
                    switch (name) {
                        case "trace", "debug" -> log.debug(message);
                        case "info", "audit" -> log.info(message);
                        case "warn" -> log.warn(cause == null ? message : message + ": " + cause);
                        case "error" -> log.error(message, cause);
                        default -> throw new UnsupportedOperationException(name);
                    }
                    return null;
                });
    }

    private static String fill(String format, Object[] args) {
        StringBuilder sb = new StringBuilder();
        int from = 0;
        int next = 0;
        for (int at = format.indexOf("{}"); at >= 0 && next < args.length; at = format.indexOf("{}", from)) {
            sb.append(format, from, at).append(args[next++]);
            from = at + 2;
        }
        return sb.append(format.substring(from)).toString();
    }
}
