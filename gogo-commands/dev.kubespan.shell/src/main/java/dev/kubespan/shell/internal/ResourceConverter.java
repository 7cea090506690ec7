package dev.kubespan.shell.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.felix.service.command.Converter;
import org.osgi.service.component.annotations.Component;

import dev.kubespan.api.Resource;
import dev.kubespan.api.ResourceType;
import dev.kubespan.api.ResourceTypes;
import dev.kubespan.api.SpecValues;

/**
 * Prints what the resource commands return, the way {@code talosctl get} does: a {@link ResourceList}
 * as a table, YAML documents or JSON objects (as the command's {@code -o} asked), a single
 * {@link Resource} as its YAML document (in a list, as one table row). Gogo asks every registered
 * converter at the end of a pipeline; this one answers only for our types. Secrets are redacted
 * unless the list was asked for with {@code --show-secrets}; a lone resource is always redacted.
 */
@Component(service = Converter.class, property = "osgi.converter.classes=" + ResourceConverter.CLASSES)
public final class ResourceConverter implements Converter {
    static final String CLASSES = "dev.kubespan.shell.internal.ResourceList";

    @Override
    public Object convert(Class<?> desiredType, Object in) {
        if ((desiredType == String.class || desiredType == CharSequence.class) && in instanceof ResourceList list) {
            return render(list);
        }
        return null;
    }

    @Override
    public CharSequence format(Object target, int level, Converter escape) {
        if (target instanceof ResourceList list) {
            return level == PART ? list.size() + " " + list.type().name() : render(list);
        }
        if (target instanceof Resource<?> r) {
            Optional<ResourceType<?>> type = ResourceTypes.find(r.metadata().type());
            if (type.isEmpty()) {
                return null;
            }
            return switch (level) {
                case INSPECT -> stripFinalNewline(YamlRenderer.document(SpecValues.document(type.get(), r, false)));
                case LINE -> String.join(TableRenderer.GAP, TableRenderer.row(type.get(), r, null));
                default -> type.get().name() + " " + r.id();
            };
        }
        return null;
    }

    /** The text {@code talosctl get} would print (no trailing newline); empty for no resources in yaml/json. */
    static String render(ResourceList list) {
        ResourceType<?> type = list.type();
        switch (list.format()) {
            case TABLE: {
                List<List<String>> rows = new ArrayList<>();
                for (Resource<?> r : list.resources()) {
                    rows.add(TableRenderer.row(type, r, null));
                }
                return new TableRenderer(type, false).render(rows);
            }
            case YAML: {
                StringBuilder sb = new StringBuilder();
                for (Resource<?> r : list.resources()) {
                    if (sb.length() > 0) {
                        sb.append("---\n");
                    }
                    sb.append(YamlRenderer.document(SpecValues.document(type, r, list.showSecrets())));
                }
                return stripFinalNewline(sb);
            }
            case JSON: {
                StringBuilder sb = new StringBuilder();
                for (Resource<?> r : list.resources()) {
                    sb.append(JsonRenderer.pretty(SpecValues.document(type, r, list.showSecrets()))).append('\n');
                }
                return stripFinalNewline(sb);
            }
            default:
                throw new IllegalStateException(list.format().toString());
        }
    }

    private static String stripFinalNewline(CharSequence text) {
        int end = text.length();
        return end > 0 && text.charAt(end - 1) == '\n' ? text.subSequence(0, end - 1).toString() : text.toString();
    }
}
