package dev.kubespan.api;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The definition of a resource type: its display name, aliases, default namespace, spec class,
 * table columns and which spec fields are secret (redacted unless explicitly asked for).
 */
public final class ResourceType<S> {
    private final String name;
    private final String qualifiedName;
    private final List<String> aliases;
    private final String defaultNamespace;
    private final Class<S> specClass;
    private final List<Column<S>> columns;
    private final Set<String> sensitiveFields;

    private ResourceType(Builder<S> b) {
        this.name = Objects.requireNonNull(b.name);
        this.qualifiedName = Objects.requireNonNull(b.qualifiedName);
        this.aliases = List.copyOf(b.aliases);
        this.defaultNamespace = Objects.requireNonNull(b.defaultNamespace);
        this.specClass = Objects.requireNonNull(b.specClass);
        this.columns = List.copyOf(b.columns);
        this.sensitiveFields = Set.copyOf(b.sensitiveFields);
        checkSensitiveFields();
    }

    /**
     * Every sensitive field must name a component of the spec record: the names are what the
     * renderers redact, so a renamed component would otherwise be shown in clear without a word.
     */
    private void checkSensitiveFields() {
        if (sensitiveFields.isEmpty()) {
            return;
        }
        if (!specClass.isRecord()) {
            throw new IllegalArgumentException("resource type " + name + ": sensitive fields " + new TreeSet<>(sensitiveFields)
                    + " need a record spec, not " + specClass.getName());
        }
        Set<String> components = new TreeSet<>();
        for (RecordComponent c : specClass.getRecordComponents()) {
            components.add(c.getName());
        }
        Set<String> unknown = new TreeSet<>(sensitiveFields);
        unknown.removeAll(components);
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("resource type " + name + ": sensitive field(s) " + unknown
                    + " are not components of " + specClass.getSimpleName() + " " + components);
        }
    }

    public static <S> Builder<S> builder(String name, Class<S> specClass) {
        return new Builder<>(name, specClass);
    }

    /** Singular display name, e.g. {@code KubeSpanIdentity}. */
    public String name() {
        return name;
    }

    /** Talos' full type name, e.g. {@code KubeSpanIdentities.kubespan.talos.dev}. */
    public String qualifiedName() {
        return qualifiedName;
    }

    /** Lower-case names the shell accepts besides {@link #name()}. */
    public List<String> aliases() {
        return aliases;
    }

    public String defaultNamespace() {
        return defaultNamespace;
    }

    public Class<S> specClass() {
        return specClass;
    }

    public List<Column<S>> columns() {
        return columns;
    }

    /** Spec field names (top level, as in YAML) whose values are secrets. */
    public Set<String> sensitiveFields() {
        return sensitiveFields;
    }

    /** Whether {@code word} names this type (display name, qualified name or alias; case-insensitive). */
    public boolean matches(String word) {
        if (word.equalsIgnoreCase(name) || word.equalsIgnoreCase(qualifiedName)) {
            return true;
        }
        for (String a : aliases) {
            if (a.equalsIgnoreCase(word)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    public S cast(Object spec) {
        return specClass.cast(spec);
    }

    @Override
    public String toString() {
        return name;
    }

    public static final class Builder<S> {
        private final String name;
        private final Class<S> specClass;
        private String qualifiedName;
        private final List<String> aliases = new ArrayList<>();
        private String defaultNamespace;
        private final List<Column<S>> columns = new ArrayList<>();
        private Set<String> sensitiveFields = Set.of();

        private Builder(String name, Class<S> specClass) {
            this.name = name;
            this.specClass = specClass;
        }

        public Builder<S> qualifiedName(String q) {
            this.qualifiedName = q;
            return this;
        }

        public Builder<S> aliases(String... a) {
            aliases.addAll(List.of(a));
            return this;
        }

        public Builder<S> namespace(String ns) {
            this.defaultNamespace = ns;
            return this;
        }

        public Builder<S> column(String header, Function<S, Object> value) {
            columns.add(new Column<>(header, value));
            return this;
        }

        public Builder<S> sensitive(String... fields) {
            this.sensitiveFields = Set.of(fields);
            return this;
        }

        public ResourceType<S> build() {
            return new ResourceType<>(this);
        }
    }
}
