package dev.kubespan.status.internal;

import java.lang.reflect.Proxy;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.osgi.service.log.Logger;

/** An OSGi {@link Logger} that records "level: format args" lines. */
final class RecordingLogger {
    final List<String> lines = new CopyOnWriteArrayList<>();
    final Logger logger = (Logger) Proxy.newProxyInstance(Logger.class.getClassLoader(), new Class<?>[] { Logger.class },
            (proxy, method, args) -> {
                Class<?> r = method.getReturnType();
                if (r == boolean.class) {
                    return true;
                }
                if (r == String.class) {
                    return "test";
                }
                if (args != null && args.length > 0 && args[0] instanceof String format) {
                    StringBuilder sb = new StringBuilder(method.getName()).append(": ").append(format);
                    for (int i = 1; i < args.length; i++) {
                        Object a = args[i];
                        if (a instanceof Object[] more) {
                            for (Object m : more) {
                                sb.append(" | ").append(m);
                            }
                        } else {
                            sb.append(" | ").append(a);
                        }
                    }
                    lines.add(sb.toString());
                }
                return null;
            });

    boolean has(String level, String fragment) {
        return lines.stream().anyMatch(l -> l.startsWith(level + ":") && l.contains(fragment));
    }
}
