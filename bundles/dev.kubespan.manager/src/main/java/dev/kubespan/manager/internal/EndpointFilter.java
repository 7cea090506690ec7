package dev.kubespan.manager.internal;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.function.Function;

import dev.kubespan.api.net.IpPrefix;

/**
 * The endpoint filter of docs/kubespan-node.md §6.3: rules run in list order; a plain rule appends
 * every matching candidate not yet in the result (in candidate order), a {@code !} rule removes
 * matching entries gathered so far. An empty rule list means no filtering (our deliberate choice;
 * Talos would filter out everything for an explicitly empty list).
 */
final class EndpointFilter {
    private record Rule(boolean exclude, IpPrefix prefix) {
    }

    private final List<Rule> rules;
    private final List<String> errors;

    private EndpointFilter(List<Rule> rules, List<String> errors) {
        this.rules = rules;
        this.errors = errors;
    }

    /** Parses the rules; an invalid rule is left out and described in {@link #errors()}. */
    static EndpointFilter parse(List<String> texts, String what) {
        List<Rule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String t : texts) {
            String s = t == null ? "" : t.trim();
            boolean exclude = s.startsWith("!");
            if (exclude) {
                s = s.substring(1).trim();
            }
            try {
                rules.add(new Rule(exclude, IpPrefix.parse(s)));
            } catch (IllegalArgumentException e) {
                errors.add(what + ": ignoring invalid rule '" + t + "': " + e.getMessage());
            }
        }
        return new EndpointFilter(List.copyOf(rules), Collections.unmodifiableList(errors));
    }

    static EndpointFilter none() {
        return new EndpointFilter(List.of(), List.of());
    }

    List<String> errors() {
        return errors;
    }

    boolean filters() {
        return !rules.isEmpty();
    }

    List<InetAddress> apply(List<InetAddress> candidates) {
        return apply(candidates, Function.identity());
    }

    /** Filters any candidates by their IP address. */
    <T> List<T> apply(List<T> candidates, Function<T, InetAddress> ip) {
        if (rules.isEmpty()) {
            return candidates;
        }
        List<T> result = new ArrayList<>();
        for (Rule r : rules) {
            if (r.exclude()) {
                result.removeIf(c -> r.prefix().contains(ip.apply(c)));
            } else {
                for (T c : candidates) {
                    if (r.prefix().contains(ip.apply(c)) && !result.contains(c)) {
                        result.add(c);
                    }
                }
            }
        }
        return result;
    }
}
