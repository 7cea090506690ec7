package dev.kubespan.manager.internal;

import java.util.ArrayList;
import java.util.List;

import dev.kubespan.api.Log;

/** Keeps what was logged, by level. */
final class RecordingLog implements Log {
    final List<String> debug = new ArrayList<>();
    final List<String> info = new ArrayList<>();
    final List<String> warn = new ArrayList<>();
    final List<String> error = new ArrayList<>();

    @Override
    public synchronized void debug(String message) {
        debug.add(message);
    }

    @Override
    public synchronized void info(String message) {
        info.add(message);
    }

    @Override
    public synchronized void warn(String message) {
        warn.add(message);
    }

    @Override
    public synchronized void error(String message, Throwable cause) {
        error.add(message);
    }

    synchronized boolean warned(String fragment) {
        return warn.stream().anyMatch(m -> m.contains(fragment));
    }

    synchronized List<String> all() {
        List<String> out = new ArrayList<>();
        out.addAll(debug);
        out.addAll(info);
        out.addAll(warn);
        out.addAll(error);
        return out;
    }
}
