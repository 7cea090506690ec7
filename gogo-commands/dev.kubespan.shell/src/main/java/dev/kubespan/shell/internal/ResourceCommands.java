package dev.kubespan.shell.internal;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import dev.kubespan.api.Namespaces;
import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;

/**
 * {@code kubespan:get} over every resource type, and shortcuts for the common ones. Output
 * mirrors {@code talosctl get}: a table by default, {@code -o yaml}, {@code -o json}, {@code -w}
 * to watch. Parsing and rendering only; all KubeSpan logic lives in the bundles that write the
 * resources.
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
    private static final String OUTPUT = "output format: table, yaml or json";
    private static final String NAMESPACE = "namespace (default: all namespaces of the type)";
    private static final String WATCH = "print the current resources, then every change (+ created, * updated, "
            + "- destroyed) until Ctrl-C";
    private static final String SECRETS = "show secret fields instead of <redacted>";

    private final ResourceStore store;

    @Activate
    public ResourceCommands(@Reference ResourceStore store) {
        this.store = store;
    }

    @Descriptor("list resources of a type, like talosctl get")
    public String get(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(NAMESPACE) @Parameter(names = { "-n", "--namespace" }, absentValue = "") String namespace,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets,
            @Descriptor("resource type: name, alias or qualified name (e.g. ksi, KubeSpanPeerStatus, members)") String type) {
        return show(TypeNames.resolve(type), namespaces(namespace), null, output, watch, showSecrets);
    }

    @Descriptor("show one resource by id, like talosctl get <type> <id>")
    public String get(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(NAMESPACE) @Parameter(names = { "-n", "--namespace" }, absentValue = "") String namespace,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets,
            @Descriptor("resource type: name, alias or qualified name") String type,
            @Descriptor("resource id") String id) {
        ResourceType<?> t = TypeNames.resolve(type);
        List<String> ns = namespaces(namespace);
        if (!watch && ResourceOutput.find(store, t, ns, id).isEmpty()) {
            throw new IllegalArgumentException(t.name() + " '" + id + "' not found"
                    + (ns.isEmpty() ? "" : " in namespace " + ns.get(0)));
        }
        return show(t, ns, id, output, watch, showSecrets);
    }

    @Descriptor("without a type: lists the resource types")
    public String get(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(NAMESPACE) @Parameter(names = { "-n", "--namespace" }, absentValue = "") String namespace,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        throw new IllegalArgumentException("usage: kubespan:get [-o table|yaml|json] [-n namespace] [-w] "
                + "[--show-secrets] <type> [id]\nknown types:\n" + TypeNames.known());
    }

    @Descriptor("this node's KubeSpan identity (KubeSpanIdentity)")
    public String identities(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.KUBESPAN_IDENTITY, List.of(), null, output, watch, showSecrets);
    }

    @Descriptor("the WireGuard peers KubeSpan wants (KubeSpanPeerSpec)")
    public String peerspecs(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.KUBESPAN_PEER_SPEC, List.of(), null, output, watch, showSecrets);
    }

    @Descriptor("the state of each peer: endpoint, up/down, traffic (KubeSpanPeerStatus)")
    public String peerstatuses(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.KUBESPAN_PEER_STATUS, List.of(), null, output, watch, showSecrets);
    }

    @Descriptor("peer endpoints harvested from working links (KubeSpanEndpoint)")
    public String endpoints(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.KUBESPAN_ENDPOINT, List.of(), null, output, watch, showSecrets);
    }

    @Descriptor("cluster members (Member)")
    public String members(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.MEMBER, List.of(), null, output, watch, showSecrets);
    }

    @Descriptor("affiliates: merged (namespace cluster) and as each registry reported them (cluster-raw)")
    public String affiliates(
            @Descriptor(OUTPUT) @Parameter(names = { "-o", "--output" }, absentValue = "table") String output,
            @Descriptor(WATCH) @Parameter(names = { "-w", "--watch" }, presentValue = "true", absentValue = "false") boolean watch,
            @Descriptor(SECRETS) @Parameter(names = { "--show-secrets" }, presentValue = "true", absentValue = "false") boolean showSecrets) {
        return show(ResourceTypes.AFFILIATE, List.of(Namespaces.CLUSTER, Namespaces.CLUSTER_RAW), null, output, watch,
                showSecrets);
    }

    private String show(ResourceType<?> type, List<String> namespaces, String id, String output, boolean watch,
            boolean showSecrets) {
        OutputFormat format = OutputFormat.parse(output);
        if (watch) {
            new WatchPrinter<>(type, namespaces, id, format, showSecrets, System.out).run(store);
            return null;
        }
        List<Resource<?>> found = ResourceOutput.find(store, type, namespaces, id);
        String text = ResourceOutput.render(type, found, format, showSecrets);
        return text.isEmpty() ? null : text;
    }

    private static List<String> namespaces(String namespace) {
        return namespace == null || namespace.isBlank() ? List.of() : List.of(namespace.trim());
    }
}
