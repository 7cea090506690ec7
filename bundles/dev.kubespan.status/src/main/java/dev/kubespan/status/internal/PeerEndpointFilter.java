package dev.kubespan.status.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

import dev.kubespan.api.net.Endpoint;
import dev.kubespan.api.net.IpPrefix;

/**
 * Which received peer endpoints this node tries ({@code KubeSpanConfig.peerEndpointFilters}),
 * with the rule semantics of the advertised-endpoint filters (kubespan-node.md §6.3): rules run
 * in order; a plain rule (CIDR or bare IP) appends every matching candidate not yet in the
 * result, in candidate order; a {@code !} rule removes matching candidates gathered so far. The
 * result is therefore ordered by rule, and a leading {@code !} rule removes nothing. An empty
 * rule list means no filtering. A rule that does not parse is dropped and reported in
 * {@link #errors()}; the remaining rules still apply, so a filter whose every rule is broken
 * lets nothing through rather than silently allowing everything.
 */
final class PeerEndpointFilter {

    private record Rule(boolean negative, IpPrefix prefix) {
    }

    static final PeerEndpointFilter NONE = new PeerEndpointFilter(List.of(), false, List.of());

    private final List<Rule> rules;
    private final boolean active;
    private final List<String> errors;

    private PeerEndpointFilter(List<Rule> rules, boolean active, List<String> errors) {
        this.rules = rules;
        this.active = active;
        this.errors = errors;
    }

    static PeerEndpointFilter parse(List<String> texts) {
        if (texts == null || texts.isEmpty()) {
            return NONE;
        }
        List<Rule> rules = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String text : texts) {
            String s = text == null ? "" : text.trim();
            boolean negative = s.startsWith("!");
            String cidr = negative ? s.substring(1).trim() : s;
            try {
                rules.add(new Rule(negative, IpPrefix.parse(cidr)));
            } catch (IllegalArgumentException e) {
                errors.add("peer endpoint filter rule '" + text + "' is not a CIDR or IP address (" + e.getMessage()
                        + "); rule ignored");
            }
        }
        return new PeerEndpointFilter(List.copyOf(rules), true, List.copyOf(errors));
    }

    /** Problems found while parsing, one message per rule that was dropped. */
    List<String> errors() {
        return errors;
    }

    List<Endpoint> apply(List<Endpoint> candidates) {
        if (!active) {
            return candidates;
        }
        LinkedHashSet<Endpoint> out = new LinkedHashSet<>();
        for (Rule r : rules) {
            if (r.negative()) {
                out.removeIf(e -> r.prefix().contains(e.address()));
            } else {
                for (Endpoint c : candidates) {
                    if (r.prefix().contains(c.address())) {
                        out.add(c);
                    }
                }
            }
        }
        return List.copyOf(out);
    }

    boolean accepts(Endpoint e) {
        return !apply(List.of(e)).isEmpty();
    }
}
