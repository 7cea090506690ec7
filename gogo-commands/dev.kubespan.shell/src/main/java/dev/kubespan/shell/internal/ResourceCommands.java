package dev.kubespan.shell.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;

/**
 * {@code kubespan:get} over every resource type, and the shortcuts for the common ones
 * ({@link #SHORTCUTS}): one command, whose result is a {@link ResourceList} that
 * {@link ResourceConverter} prints as {@code talosctl get} does — a table by default,
 * {@code -o yaml}, {@code -o json}; {@code -w} watches. Parsing only; all KubeSpan logic lives in
 * the bundles that write the resources.
 *
 * <p>Gogo binds {@code get} through its {@link Parameter} annotations. A shortcut has no method
 * of its own: Gogo then calls {@link #_main} with the function name first, which reads the same
 * options and lists the shortcut's type.
 */
@Component(service = ResourceCommands.class, property = {
        "osgi.command.scope=kubespan",
        "osgi.command.function=get",
        "osgi.command.function=identities",
        "osgi.command.function=peerspecs",
        "osgi.command.function=peerstatuses",
        "osgi.command.function=endpoints",
        "osgi.command.function=members",
        "osgi.command.function=affiliates" })
public final class ResourceCommands {
    /** A command name that lists one type, with the namespaces it shows (empty = all). */
    record Shortcut(String name, ResourceType<?> type, List<String> namespaces, String description) {
    }

    static final List<Shortcut> SHORTCUTS = List.of(
            new Shortcut("identities", ResourceTypes.KUBESPAN_IDENTITY, List.of(),
                    "this node's KubeSpan identity (KubeSpanIdentity)"),
            new Shortcut("peerspecs", ResourceTypes.KUBESPAN_PEER_SPEC, List.of(),
                    "the WireGuard peers KubeSpan wants (KubeSpanPeerSpec)"),
            new Shortcut("peerstatuses", ResourceTypes.KUBESPAN_PEER_STATUS, List.of(),
                    "the state of each peer: endpoint, up/down, traffic (KubeSpanPeerStatus)"),
            new Shortcut("endpoints", ResourceTypes.KUBESPAN_ENDPOINT, List.of(),
                    "peer endpoints harvested from working links (KubeSpanEndpoint)"),
            new Shortcut("members", ResourceTypes.MEMBER, List.of(), "cluster members (Member)"),
            new Shortcut("affiliates", ResourceTypes.AFFILIATE, List.of(Namespaces.CLUSTER, Namespaces.CLUSTER_RAW),
                    "affiliates: merged (namespace cluster) and as each registry reported them (cluster-raw)"));

    private static final String OUTPUT = "output format: table, yaml or json";
    private static final String NAMESPACE = "namespace (default: all namespaces of the type)";
    private static final String WATCH = "print the current resources, then every change (+ created, * updated, "
            + "- destroyed) until Ctrl-C";
    private static final String SECRETS = "show secret fields instead of <redacted>";
    static final String USAGE = "usage: kubespan:get [-o table|yaml|json] [-n namespace] [-w] [--show-secrets] <type> [id]";

    private final ResourceStore store;

    @Activate
    public ResourceCommands(@Reference ResourceStore store) {
        this.store = store;
    }

    @Descriptor("list resources of a type, like talosctl get")
    public ResourceList get(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(NAMESPACE) @Parameter(names = { "-n", "--namespace" }, absentValue = "") String namespace,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets,
            @Descriptor("resource type: name, alias or qualified name (e.g. ksi, KubeSpanPeerStatus, members)") String type) {
        return show(TypeNames.resolve(type), namespaces(namespace), null, output, watch, showSecrets);
    }

    @Descriptor("show one resource by id, like talosctl get <type> <id>")
    public ResourceList get(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(NAMESPACE) @Parameter(names = { "-n", "--namespace" }, absentValue = "") String namespace,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets,
            @Descriptor("resource type: name, alias or qualified name") String type,
            @Descriptor("resource id") String id) {
        ResourceType<?> t = TypeNames.resolve(type);
        List<String> ns = namespaces(namespace);
        if (!watch && ResourceList.find(store, t, ns, id, OutputFormat.TABLE, false).isEmpty()) {
            throw new IllegalArgumentException(t.name() + " '" + id + "' not found"
                    + (ns.isEmpty() ? "" : " in namespace " + ns.get(0)));
        }
        return show(t, ns, id, output, watch, showSecrets);
    }

    /**
     * Every shortcut, and {@code get} when it matched neither form above (no type, or too many
     * words): Gogo passes the command's name, then its words.
     */
    @Descriptor("identities | peerspecs | peerstatuses | endpoints | members | affiliates "
            + "[-o table|yaml|json] [-w] [--show-secrets]: the resources of one type, as kubespan:get <type>")
    public ResourceList _main(String... argv) {
        String name = argv.length == 0 ? "get" : argv[0];
        Optional<Shortcut> shortcut = SHORTCUTS.stream().filter(s -> s.name().equals(name)).findFirst();
        if (shortcut.isEmpty()) {
            throw new IllegalArgumentException(USAGE + "\nknown types:\n" + TypeNames.known());
        }
        Shortcut s = shortcut.get();
        ShortcutOptions o = ShortcutOptions.parse(s.name(), Arrays.copyOfRange(argv, 1, argv.length));
        return show(s.type(), s.namespaces(), null, o.output, o.watch, o.showSecrets);
    }

    private ResourceList show(ResourceType<?> type, List<String> namespaces, String id, String output, boolean watch,
            boolean showSecrets) {
        OutputFormat format = OutputFormat.parse(output);
        if (watch) {
            new WatchPrinter<>(type, namespaces, id, format, showSecrets, System.out).run(store);
            return null;
        }
        ResourceList found = ResourceList.find(store, type, namespaces, id, format, showSecrets);
        // an empty list prints nothing in yaml and json (talosctl prints no document), and a
        // result the shell would print as an empty line is no result
        return found.isEmpty() && format != OutputFormat.TABLE ? null : found;
    }

    private static List<String> namespaces(String namespace) {
        return namespace == null || namespace.isBlank() ? List.of() : List.of(namespace.trim());
    }

    /** The options of a shortcut: those of {@code get} without a namespace, in any order. */
    private static final class ShortcutOptions {
        String output = "table";
        boolean watch;
        boolean showSecrets;

        static ShortcutOptions parse(String name, String[] words) {
            ShortcutOptions o = new ShortcutOptions();
            List<String> unexpected = new ArrayList<>();
            for (int i = 0; i < words.length; i++) {
                switch (words[i]) {
                    case "-o", "--output" -> {
                        if (i + 1 == words.length) {
                            throw new IllegalArgumentException(words[i] + " needs a value: table, yaml or json");
                        }
                        o.output = words[++i];
                    }
                    case "-w", "--watch" -> o.watch = true;
                    case "--show-secrets" -> o.showSecrets = true;
                    default -> unexpected.add(words[i]);
                }
            }
            if (!unexpected.isEmpty()) {
                throw new IllegalArgumentException("kubespan:" + name + " takes no "
                        + unexpected.stream().map(w -> "'" + w + "'").collect(Collectors.joining(", "))
                        + "\nusage: kubespan:" + name + " [-o table|yaml|json] [-w] [--show-secrets]");
            }
            return o;
        }
    }
}
