package dev.kubespan.config.internal;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the Talos-style machine config (docs/kubespan-node.md §6) into {@link RawSettings}: the
 * v1alpha1 document ({@code version/machine/cluster}) and the {@code apiVersion: v1alpha1} documents
 * {@code KubeSpanConfig}, {@code KubeSpanEndpointsConfig}, {@code DiscoveryServiceConfig},
 * {@code DiscoveryIdentityConfig}, plus our own {@code KubeSpanAgentConfig}.
 *
 * <p>Strict where KubeSpan reads (an unknown key there is an error), tolerant of the rest of a Talos
 * machine config: the other v1alpha1 keys Talos defines are accepted and ignored, and so are other
 * Talos documents, with a warning — unless a kind is a near miss of one of ours, which is a typo.
 */
final class YamlConfigReader {

    static final String API_VERSION = "v1alpha1";
    static final String KUBESPAN_CONFIG = "KubeSpanConfig";
    static final String KUBESPAN_ENDPOINTS_CONFIG = "KubeSpanEndpointsConfig";
    static final String DISCOVERY_SERVICE_CONFIG = "DiscoveryServiceConfig";
    static final String DISCOVERY_IDENTITY_CONFIG = "DiscoveryIdentityConfig";
    static final String KUBESPAN_AGENT_CONFIG = "KubeSpanAgentConfig";
    static final String KUBESPAN_NAT_CONFIG = "KubeSpanNATConfig";
    static final List<String> KINDS = List.of(KUBESPAN_CONFIG, KUBESPAN_ENDPOINTS_CONFIG, DISCOVERY_SERVICE_CONFIG,
            DISCOVERY_IDENTITY_CONFIG, KUBESPAN_AGENT_CONFIG, KUBESPAN_NAT_CONFIG);

    // Talos v1alpha1 keys that KubeSpan does not use: accepted so that a full Talos machine config loads.
    private static final Set<String> TALOS_TOP = Set.of("debug", "persist");
    private static final Set<String> TALOS_MACHINE = Set.of("type", "token", "ca", "acceptedCAs", "certSANs",
            "controlPlane", "kubelet", "pods", "disks", "install", "files", "env", "time", "sysctls", "sysfs",
            "registries", "systemDiskEncryption", "features", "udev", "logging", "kernel", "seccompProfiles",
            "baseRuntimeSpecOverrides", "nodeLabels", "nodeAnnotations", "nodeTaints");
    private static final Set<String> TALOS_MACHINE_NETWORK = Set.of("hostname", "interfaces", "nameservers",
            "searchDomains", "extraHostEntries", "disableSearchDomain");
    private static final Set<String> TALOS_CLUSTER = Set.of("controlPlane", "clusterName", "network", "token",
            "aescbcEncryptionSecret", "secretboxEncryptionSecret", "ca", "acceptedCAs", "aggregatorCA",
            "serviceAccount", "apiServer", "controllerManager", "proxy", "scheduler", "etcd", "coreDNS",
            "externalCloudProvider", "extraManifests", "extraManifestHeaders", "inlineManifests", "adminKubeconfig",
            "allowSchedulingOnControlPlanes", "allowSchedulingOnMasters");

    private final Problems problems;
    private final RawSettings out;
    private int legacyDocumentLine;
    private int endpointsDocumentLine;
    private int agentDocumentLine;
    private int natDocumentLine;

    private YamlConfigReader(Problems problems) {
        this.problems = problems;
        this.out = new RawSettings(problems.source());
    }

    /** Parses and reads the file content; null when it is not YAML (already reported). */
    static RawSettings read(byte[] content, Problems problems) {
        List<YamlDocuments.Document> docs = YamlDocuments.read(content, problems);
        if (docs == null) {
            return null;
        }
        YamlConfigReader r = new YamlConfigReader(problems);
        for (YamlDocuments.Document d : docs) {
            r.document(d);
        }
        return r.out;
    }

    private void document(YamlDocuments.Document d) {
        if (!(d.root() instanceof YamlNode.Mapping m)) {
            problems.error("document " + d.index(), d.root().line(),
                    "expected a mapping of keys, got " + d.root().describe());
            return;
        }
        if (m.entries().containsKey("kind") || m.entries().containsKey("apiVersion")) {
            typedDocument(d, m);
        } else {
            legacyDocument(m);
        }
    }

    private void typedDocument(YamlDocuments.Document d, YamlNode.Mapping m) {
        MappingReader doc = new MappingReader(m, "document " + d.index(), problems);
        Field<String> kind = doc.text("kind");
        if (kind == null || kind.value().isBlank()) {
            problems.error(doc.pathOf("kind"), m.line(), "missing: a document with apiVersion needs a kind");
            return;
        }
        String k = kind.value();
        if (!KINDS.contains(k)) {
            String near = nearMiss(k);
            if (near != null) {
                problems.error(doc.pathOf("kind"), kind.line(),
                        "unknown document kind '" + k + "' (did you mean '" + near + "'?)");
            } else {
                problems.warn(doc.pathOf("kind"), kind.line(),
                        "document kind '" + k + "' is not a KubeSpan setting; ignored");
            }
            return;
        }
        String base = k;
        if (k.equals(DISCOVERY_SERVICE_CONFIG)) {
            YamlNode.Entry nameEntry = m.entries().get("name");
            String name = nameEntry != null && nameEntry.value() instanceof YamlNode.Scalar s
                    && s.kind() != YamlNode.Kind.NULL ? s.text() : "#" + d.index();
            base = k + "[" + name + "]";
        }
        MappingReader r = new MappingReader(m, base, problems);
        r.node("kind");
        Field<String> apiVersion = r.text("apiVersion");
        if (apiVersion == null) {
            problems.error(r.pathOf("apiVersion"), m.line(), "missing; expected " + API_VERSION);
        } else if (!API_VERSION.equals(apiVersion.value())) {
            problems.error(apiVersion.path(), apiVersion.line(),
                    "unsupported apiVersion '" + apiVersion.value() + "'; expected " + API_VERSION);
        }
        switch (k) {
            case KUBESPAN_CONFIG -> kubeSpanDocument(r);
            case KUBESPAN_ENDPOINTS_CONFIG -> endpointsDocument(r);
            case DISCOVERY_SERVICE_CONFIG -> serviceDocument(r);
            case DISCOVERY_IDENTITY_CONFIG -> identityDocument(r);
            case KUBESPAN_AGENT_CONFIG -> agentDocument(r);
            case KUBESPAN_NAT_CONFIG -> natDocument(r);
            default -> throw new IllegalStateException(k);
        }
        r.reportUnknown();
    }

    private boolean duplicate(String kind, int previousLine, MappingReader r) {
        if (previousLine == 0) {
            return false;
        }
        problems.error(kind, r.line(), "a second " + kind + " document; only one is allowed (the first is at line "
                + previousLine + ")");
        return true;
    }

    private void kubeSpanDocument(MappingReader r) {
        if (duplicate(KUBESPAN_CONFIG, out.kubeSpanDocument == null ? 0 : Math.max(1, out.kubeSpanDocument.line), r)) {
            r.ignore(Set.of("enabled", "allowDownPeerBypass", "advertiseKubernetesNetworks", "harvestExtraEndpoints",
                    "mtu", "filters"));
            return;
        }
        out.kubeSpanDocument = kubeSpanFields(r, false);
    }

    private void endpointsDocument(MappingReader r) {
        if (duplicate(KUBESPAN_ENDPOINTS_CONFIG, endpointsDocumentLine, r)) {
            r.ignore(Set.of("extraAnnouncedEndpoints"));
            return;
        }
        endpointsDocumentLine = Math.max(1, r.line());
        out.extraAnnouncedEndpoints = r.textList("extraAnnouncedEndpoints");
    }

    private void serviceDocument(MappingReader r) {
        Field<String> name = r.text("name");
        Field<String> endpoint = r.text("endpoint");
        if (name == null || name.value().isBlank()) {
            problems.error(r.pathOf("name"), r.line(), "missing: every DiscoveryServiceConfig needs a name");
        }
        if (endpoint == null || endpoint.value().isBlank()) {
            problems.error(r.pathOf("endpoint"), r.line(), "missing: the discovery service URL");
        }
        if (name != null && endpoint != null) {
            for (RawSettings.Service s : out.services) {
                if (s.name() != null && s.name().value().equals(name.value())) {
                    problems.error(r.path(), r.line(), "a second DiscoveryServiceConfig named '" + name.value()
                            + "'; names must be unique (the first is at line " + s.line() + ")");
                    return;
                }
            }
            out.services.add(new RawSettings.Service(name, endpoint, r.path(), r.line()));
        }
    }

    private void identityDocument(MappingReader r) {
        if (duplicate(DISCOVERY_IDENTITY_CONFIG, out.identityDocument == null ? 0 : Math.max(1, out.identityDocument.line),
                r)) {
            r.ignore(Set.of("clusterID", "clusterSecret"));
            return;
        }
        RawSettings.Identity id = new RawSettings.Identity(DISCOVERY_IDENTITY_CONFIG, r.line());
        id.clusterId = r.text("clusterID");
        id.clusterSecret = r.text("clusterSecret");
        out.identityDocument = id;
    }

    private void agentDocument(MappingReader r) {
        if (duplicate(KUBESPAN_AGENT_CONFIG, agentDocumentLine, r)) {
            r.ignore(Set.of("listenPort", "peerReconcileInterval", "peerDownInterval", "endpointConnectionTimeout"));
            return;
        }
        agentDocumentLine = Math.max(1, r.line());
        out.listenPort = r.integer("listenPort");
        out.peerReconcileInterval = r.text("peerReconcileInterval");
        out.peerDownInterval = r.text("peerDownInterval");
        out.endpointConnectionTimeout = r.text("endpointConnectionTimeout");
    }

    private void natDocument(MappingReader r) {
        if (duplicate(KUBESPAN_NAT_CONFIG, natDocumentLine, r)) {
            r.ignore(Set.of("stunServers", "relayServers", "relayUsername", "relayPassword", "relaySharedSecret"));
            return;
        }
        natDocumentLine = Math.max(1, r.line());
        RawSettings.Nat nat = new RawSettings.Nat(KUBESPAN_NAT_CONFIG, r.line());
        nat.stunServers = r.textList("stunServers");
        nat.relayServers = r.textList("relayServers");
        nat.relayUsername = r.text("relayUsername");
        nat.relayPassword = r.text("relayPassword");
        nat.relaySharedSecret = r.text("relaySharedSecret");
        out.nat = nat;
    }

    private void legacyDocument(YamlNode.Mapping m) {
        if (legacyDocumentLine != 0) {
            problems.error("", m.line(), "a second v1alpha1 document (machine/cluster); only one is allowed (the first"
                    + " is at line " + legacyDocumentLine + ")");
            return;
        }
        legacyDocumentLine = Math.max(1, m.line());
        MappingReader top = new MappingReader(m, "", problems);
        Field<String> version = top.text("version");
        if (version != null && !API_VERSION.equals(version.value())) {
            problems.error(version.path(), version.line(),
                    "unsupported version '" + version.value() + "'; expected " + API_VERSION);
        }
        top.ignore(TALOS_TOP);
        MappingReader machine = top.mapping("machine");
        if (machine != null) {
            machine.ignore(TALOS_MACHINE);
            MappingReader network = machine.mapping("network");
            if (network != null) {
                network.ignore(TALOS_MACHINE_NETWORK);
                MappingReader ks = network.mapping("kubespan");
                if (ks != null) {
                    out.legacyKubeSpan = kubeSpanFields(ks, true);
                    ks.reportUnknown();
                }
                network.reportUnknown();
            }
            machine.reportUnknown();
        }
        MappingReader cluster = top.mapping("cluster");
        if (cluster != null) {
            cluster.ignore(TALOS_CLUSTER);
            RawSettings.Identity id = new RawSettings.Identity("cluster", cluster.line());
            id.clusterId = cluster.text("id");
            id.clusterSecret = cluster.text("secret");
            out.legacyIdentity = id;
            MappingReader discovery = cluster.mapping("discovery");
            if (discovery != null) {
                out.legacyDiscovery = legacyDiscovery(discovery);
                discovery.reportUnknown();
            }
            cluster.reportUnknown();
        }
        top.reportUnknown();
    }

    private RawSettings.KubeSpan kubeSpanFields(MappingReader r, boolean legacy) {
        RawSettings.KubeSpan k = new RawSettings.KubeSpan(r.path(), r.line(), legacy);
        k.enabled = r.bool("enabled");
        k.allowDownPeerBypass = r.bool("allowDownPeerBypass");
        k.advertiseKubernetesNetworks = r.bool("advertiseKubernetesNetworks");
        k.harvestExtraEndpoints = r.bool("harvestExtraEndpoints");
        k.mtu = r.integer("mtu");
        MappingReader filters = r.mapping("filters");
        if (filters != null) {
            k.endpointFilters = filters.textList("endpoints");
            k.excludeAdvertisedNetworks = filters.textList("excludeAdvertisedNetworks");
            k.peerEndpointFilters = filters.textList("peerEndpoints");
            filters.reportUnknown();
        }
        return k;
    }

    private RawSettings.LegacyDiscovery legacyDiscovery(MappingReader d) {
        RawSettings.LegacyDiscovery ld = new RawSettings.LegacyDiscovery(d.path(), d.line());
        ld.enabled = d.bool("enabled");
        MappingReader registries = d.mapping("registries");
        if (registries != null) {
            MappingReader k8s = registries.mapping("kubernetes");
            if (k8s != null) {
                ld.kubernetesDisabled = k8s.bool("disabled");
                k8s.reportUnknown();
            }
            MappingReader service = registries.mapping("service");
            if (service != null) {
                ld.serviceDisabled = service.bool("disabled");
                ld.serviceEndpoint = service.text("endpoint");
                service.reportUnknown();
            }
            registries.reportUnknown();
        }
        return ld;
    }

    /** One of our kinds within two edits (ignoring case) of {@code kind}, or null. */
    static String nearMiss(String kind) {
        String lower = kind.toLowerCase(Locale.ROOT);
        for (String k : KINDS) {
            if (editDistance(lower, k.toLowerCase(Locale.ROOT)) <= 2) {
                return k;
            }
        }
        return null;
    }

    private static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
