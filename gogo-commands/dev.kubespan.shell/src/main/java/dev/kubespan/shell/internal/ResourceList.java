package dev.kubespan.shell.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceStore;
import dev.kubespan.api.ResourceType;

/**
 * What the resource commands return: the resources of one type, in namespace then id order, and
 * how the user asked to see them. {@link ResourceConverter} prints it; a script can keep it and
 * ask for its parts ({@code r = kubespan:get ksps; $r resources}).
 */
public final class ResourceList {
    private final ResourceType<?> type;
    private final List<Resource<?>> resources;
    private final OutputFormat format;
    private final boolean showSecrets;

    ResourceList(ResourceType<?> type, List<Resource<?>> resources, OutputFormat format, boolean showSecrets) {
        this.type = type;
        this.resources = List.copyOf(resources);
        this.format = format;
        this.showSecrets = showSecrets;
    }

    /**
     * Resources of {@code type} in the given namespaces (empty list = all), optionally one id,
     * ordered by namespace then id.
     */
    static ResourceList find(ResourceStore store, ResourceType<?> type, List<String> namespaces, String id,
            OutputFormat format, boolean showSecrets) {
        List<Resource<?>> out = new ArrayList<>();
        if (namespaces.isEmpty()) {
            out.addAll(store.list(type, null));
        } else {
            for (String ns : namespaces) {
                out.addAll(store.list(type, ns));
            }
        }
        if (id != null) {
            out.removeIf(r -> !r.id().equals(id));
        }
        out.sort(Comparator.comparing((Resource<?> r) -> r.namespace()).thenComparing(Resource::id));
        return new ResourceList(type, out, format, showSecrets);
    }

    public ResourceType<?> type() {
        return type;
    }

    public List<Resource<?>> resources() {
        return resources;
    }

    public int size() {
        return resources.size();
    }

    public boolean isEmpty() {
        return resources.isEmpty();
    }

    OutputFormat format() {
        return format;
    }

    boolean showSecrets() {
        return showSecrets;
    }

    /** The text the shell prints for it. */
    @Override
    public String toString() {
        return ResourceConverter.render(this);
    }
}
