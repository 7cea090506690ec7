package dev.kubespan.config.internal;

import java.util.ArrayList;
import java.util.List;

/** Keeps log lines for assertions. */
final class RecordingLog implements Log {
    final List<String> infos = new ArrayList<>();
    final List<String> warnings = new ArrayList<>();
    final List<String> errors = new ArrayList<>();

    @Override
    public synchronized void info(String message) {
        infos.add(message);
    }

    @Override
    public synchronized void warn(String message) {
        warnings.add(message);
    }

    @Override
    public synchronized void error(String message) {
        errors.add(message);
    }

    synchronized List<String> all() {
        List<String> l = new ArrayList<>(infos);
        l.addAll(warnings);
        l.addAll(errors);
        return l;
    }

    synchronized List<String> errors() {
        return List.copyOf(errors);
    }

    synchronized List<String> infos() {
        return List.copyOf(infos);
    }
}
