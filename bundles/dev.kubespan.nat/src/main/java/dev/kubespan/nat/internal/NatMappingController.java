package dev.kubespan.nat.internal;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.controller.Controller;
import dev.kubespan.api.controller.ControllerContext;
import dev.kubespan.api.controller.Input;
import dev.kubespan.api.controller.Output;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.NatMapping;
import dev.kubespan.api.spec.PeerPath;
import dev.kubespan.nat.internal.stun.StunMessage;

/**
 * Learns this node's public mapping of the WireGuard port: a STUN binding request to every STUN
 * server, sent from the WireGuard port itself ({@link PortProbes}), every {@link #RECHECK} and
 * whenever the port or the servers change. Writes {@link NatMapping}: the mapping, and whether
 * the NAT keeps one mapping for all destinations (then peers can use it) or makes one per
 * destination (symmetric NAT: then only a relay helps, and the mapping is not published).
 */
final class NatMappingController implements Controller {
    static final String NAME = "dev.kubespan.nat/mapping";
    static final Duration RECHECK = Duration.ofMinutes(5);
    /**
     * While a peer has no direct path, the mapping is checked this often: a NAT that changed its
     * behaviour (a relaxed rule, a new router) maps the port anew, and peers can only probe the
     * new mapping once it is published. Longer than the 30 s a Linux NAT keeps a UDP flow that saw
     * one answer ({@code nf_conntrack_udp_timeout}), so every check is a new flow through the NAT
     * and sees the mapping that new flows get now, which is what a peer's probe meets: a check
     * within the flow's lifetime would only repeat the mapping the flow got when it began (after
     * {@code --random-fully} was replaced by plain MASQUERADE, the NAT keeps the old random port
     * for the flow to the STUN server, while new flows get another one).
     */
    static final Duration RECHECK_WHILE_NEEDED = Duration.ofSeconds(35);
    static final Duration ANSWER_WITHIN = Duration.ofSeconds(2);
    static final int TRIES = 3;

    private final PortProbes probes;
    private final Map<String, String> answers = new java.util.concurrent.ConcurrentHashMap<>();
    private Instant nextCheck = Instant.MIN;
    /** When the last check ended (answered or given up); a peer in need pulls the next one in. */
    private Instant checkedAt = Instant.MIN;
    private Instant answerDue;
    private int tries;
    private String asked = "";
    private volatile Runnable trigger = () -> {
    };

    NatMappingController(PortProbes probes) {
        this.probes = probes;
    }

    void triggerWith(Runnable t) {
        this.trigger = t;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<Input<?>> inputs() {
        return List.of(Input.of(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG)
                .onChangeOf(r -> List.of(r.spec().enabled(), r.spec().listenPort())),
                Input.of(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG).onChangeOf(r -> r.spec().effectiveStunServers()),
                Input.of(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN).onChangeOf(r -> r.spec().path()));
    }

    @Override
    public List<Output> outputs() {
        return List.of(Output.exclusive(ResourceTypes.NAT_MAPPING));
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        Optional<KubeSpanConfig> cfg = ctx.spec(ResourceTypes.KUBESPAN_CONFIG, Namespaces.CONFIG, KubeSpanConfig.ID)
                .filter(KubeSpanConfig::enabled);
        NatConfig nat = ctx.spec(ResourceTypes.NAT_CONFIG, Namespaces.CONFIG, NatConfig.ID).orElse(NatConfig.none());
        List<String> servers = nat.effectiveStunServers();
        if (cfg.isEmpty() || servers.isEmpty()) {
            ctx.deleteOwnedExcept(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, List.of());
            asked = "";
            return;
        }
        int port = cfg.get().listenPort();
        String what = port + " " + servers;
        Instant now = ctx.now(); // shown in the NatMapping
        // the deadlines on the monotonic clock: a step of the wall clock neither delays nor hurries a check
        Instant t = Instant.EPOCH.plusNanos(ctx.nanoTime());
        if (!what.equals(asked)) {
            asked = what;
            answers.clear();
            nextCheck = t;
            tries = 0;
        }
        try {
            probes.open(port);
        } catch (RuntimeException e) {
            ctx.put(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, NatMapping.ID, new NatMapping(port, "", List.of(),
                    "unknown", now, "cannot send from the WireGuard port: " + e.getMessage()));
            ctx.wakeIn(RECHECK);
            return;
        }
        boolean missing = PortProbes.parse(servers, ctx.log()).stream()
                .anyMatch(s -> !answers.containsKey(s.getAddress().getHostAddress() + ":" + s.getPort()));
        if (answerDue != null && (!t.isBefore(answerDue) || !missing)) {
            answerDue = null;
            if (missing && tries < TRIES) {
                nextCheck = t;
                ctx.wakeIn(Duration.ofMillis(1));
                return;
            }
            tries = 0;
            checkedAt = t;
            nextCheck = t.plus(RECHECK);
            for (InetSocketAddress s : PortProbes.parse(servers, ctx.log())) {
                answers.putIfAbsent(s.getAddress().getHostAddress() + ":" + s.getPort(), "no answer");
            }
        }
        if (answerDue == null && needed(ctx) && nextCheck.isAfter(checkedAt.plus(RECHECK_WHILE_NEEDED))) {
            nextCheck = checkedAt.plus(RECHECK_WHILE_NEEDED);
        }
        if (answerDue == null && !t.isBefore(nextCheck)) {
            if (tries == 0) {
                answers.clear();
            }
            for (InetSocketAddress server : PortProbes.parse(servers, ctx.log())) {
                String name = server.getAddress().getHostAddress() + ":" + server.getPort();
                if (!answers.containsKey(name) || answers.get(name).startsWith("no answer")) {
                    probes.bind(server, answer -> answered(name, answer));
                }
            }
            tries++;
            answerDue = t.plus(ANSWER_WITHIN);
            nextCheck = answerDue;
            ctx.wakeIn(Duration.between(t, answerDue));
            return;
        }
        write(ctx, port, now);
        Instant next = answerDue != null ? answerDue : nextCheck;
        ctx.wakeIn(next.isAfter(t) ? Duration.between(t, next) : Duration.ZERO);
    }

    /** Whether a peer has no direct path (probing, relayed): then a changed mapping must be found soon. */
    private static boolean needed(ControllerContext ctx) {
        return ctx.list(ResourceTypes.KUBESPAN_PEER_STATUS, Namespaces.KUBESPAN).stream()
                .anyMatch(r -> r.spec().path() != PeerPath.DIRECT);
    }

    private void answered(String server, StunMessage m) {
        if (m.messageClass() == StunMessage.SUCCESS) {
            m.address(StunMessage.XOR_MAPPED_ADDRESS).ifPresentOrElse(
                    a -> answers.put(server, a.getAddress().getHostAddress() + ":" + a.getPort()),
                    () -> answers.put(server, "answer without XOR-MAPPED-ADDRESS"));
        } else {
            answers.put(server, "error " + m.errorCode().map(Object::toString).orElse("?"));
        }
        trigger.run();
    }

    private void write(ControllerContext ctx, int port, Instant now) {
        Map<String, String> seen = new LinkedHashMap<>(new java.util.TreeMap<>(answers));
        List<String> observed = new ArrayList<>();
        List<String> mapped = new ArrayList<>();
        seen.forEach((server, result) -> {
            observed.add(server + "=" + result);
            if (Character.isDigit(result.charAt(0)) || result.startsWith("[")) {
                mapped.add(result);
            }
        });
        String behaviour = mapped.size() < 2 ? "unknown"
                : mapped.stream().distinct().count() == 1 ? "endpoint-independent" : "endpoint-dependent";
        String error = mapped.isEmpty() && !seen.isEmpty() ? "no STUN server answered: " + String.join(", ", observed) : "";
        NatMapping m = new NatMapping(port, mapped.isEmpty() ? "" : mapped.get(0), observed, behaviour, now, error);
        Optional<NatMapping> old = ctx.spec(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, NatMapping.ID);
        if (old.isEmpty() || !same(old.get(), m)) {
            if (old.isEmpty() || !old.get().mappedEndpoint().equals(m.mappedEndpoint())) {
                ctx.log().info("nat: the WireGuard port " + port + " is seen as "
                        + (m.mappedEndpoint().isEmpty() ? "(unknown)" : m.mappedEndpoint()) + " (" + behaviour + ")");
            }
            ctx.put(ResourceTypes.NAT_MAPPING, Namespaces.KUBESPAN, NatMapping.ID, m);
        }
    }

    /** The check time alone changing is no news worth an event. */
    private static boolean same(NatMapping a, NatMapping b) {
        return a.localPort() == b.localPort() && a.mappedEndpoint().equals(b.mappedEndpoint())
                && a.observed().equals(b.observed()) && a.behaviour().equals(b.behaviour()) && a.error().equals(b.error());
    }
}
