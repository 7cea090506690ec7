package dev.kubespan.api;

import java.util.List;
import java.util.Optional;

import dev.kubespan.api.spec.Affiliate;
import dev.kubespan.api.spec.DiscoveredAddress;
import dev.kubespan.api.spec.DiscoveryConfig;
import dev.kubespan.api.spec.KubeSpanConfig;
import dev.kubespan.api.spec.KubeSpanEndpoint;
import dev.kubespan.api.spec.KubeSpanIdentity;
import dev.kubespan.api.spec.KubeSpanPeerSpec;
import dev.kubespan.api.spec.KubeSpanPeerStatus;
import dev.kubespan.api.spec.LinkStatus;
import dev.kubespan.api.spec.Member;
import dev.kubespan.api.spec.NatConfig;
import dev.kubespan.api.spec.NatMapping;
import dev.kubespan.api.spec.PathProbe;
import dev.kubespan.api.spec.RelayAllocation;
import dev.kubespan.api.spec.NodeIdentity;
import dev.kubespan.api.spec.RegistryStatus;

/** Every resource type there is, with Talos' names, aliases and columns (docs/kubespan-node.md §2). */
public final class ResourceTypes {

    public static final ResourceType<KubeSpanIdentity> KUBESPAN_IDENTITY = ResourceType
            .builder("KubeSpanIdentity", KubeSpanIdentity.class)
            .qualifiedName("KubeSpanIdentities.kubespan.talos.dev")
            .aliases("kubespanidentity", "kubespanidentities", "ksi", "ksis")
            .namespace(Namespaces.KUBESPAN)
            .column("ADDRESS", KubeSpanIdentity::address)
            .column("PUBLICKEY", KubeSpanIdentity::publicKey)
            .sensitive("privateKey")
            .build();

    public static final ResourceType<KubeSpanPeerSpec> KUBESPAN_PEER_SPEC = ResourceType
            .builder("KubeSpanPeerSpec", KubeSpanPeerSpec.class)
            .qualifiedName("KubeSpanPeerSpecs.kubespan.talos.dev")
            .aliases("kubespanpeerspec", "kubespanpeerspecs", "ksps")
            .namespace(Namespaces.KUBESPAN)
            .column("LABEL", KubeSpanPeerSpec::label)
            .column("ENDPOINTS", KubeSpanPeerSpec::endpoints)
            .build();

    public static final ResourceType<KubeSpanPeerStatus> KUBESPAN_PEER_STATUS = ResourceType
            .builder("KubeSpanPeerStatus", KubeSpanPeerStatus.class)
            .qualifiedName("KubeSpanPeerStatuses.kubespan.talos.dev")
            // "ksps" belongs to peer specs here; Talos lets the acronym collide.
            .aliases("kubespanpeerstatus", "kubespanpeerstatuses", "kspst")
            .namespace(Namespaces.KUBESPAN)
            .column("LABEL", KubeSpanPeerStatus::label)
            .column("ENDPOINT", KubeSpanPeerStatus::endpoint)
            .column("STATE", KubeSpanPeerStatus::state)
            .column("PATH", KubeSpanPeerStatus::pathLabel)
            .column("RX", KubeSpanPeerStatus::receiveBytes)
            .column("TX", KubeSpanPeerStatus::transmitBytes)
            .build();

    public static final ResourceType<KubeSpanEndpoint> KUBESPAN_ENDPOINT = ResourceType
            .builder("KubeSpanEndpoint", KubeSpanEndpoint.class)
            .qualifiedName("KubeSpanEndpoints.kubespan.talos.dev")
            .aliases("kubespanendpoint", "kubespanendpoints", "kse", "kses")
            .namespace(Namespaces.KUBESPAN)
            .column("ENDPOINT", KubeSpanEndpoint::endpoint)
            .column("AFFILIATE ID", KubeSpanEndpoint::affiliateID)
            .build();

    public static final ResourceType<KubeSpanConfig> KUBESPAN_CONFIG = ResourceType
            .builder("KubeSpanConfig", KubeSpanConfig.class)
            .qualifiedName("KubeSpanConfigs.kubespan.talos.dev")
            .aliases("kubespanconfig", "kubespanconfigs", "ksc", "kscs")
            .namespace(Namespaces.CONFIG)
            .column("ENABLED", KubeSpanConfig::enabled)
            .column("MTU", KubeSpanConfig::mtu)
            .column("FORCEROUTING", KubeSpanConfig::forceRouting)
            .sensitive("sharedSecret")
            .build();

    public static final ResourceType<NodeIdentity> NODE_IDENTITY = ResourceType
            .builder("Identity", NodeIdentity.class)
            .qualifiedName("Identities.cluster.talos.dev")
            .aliases("identity", "identities", "nodeidentity", "nodeidentities")
            .namespace(Namespaces.CLUSTER)
            .column("ID", NodeIdentity::nodeId)
            .build();

    public static final ResourceType<Affiliate> AFFILIATE = ResourceType
            .builder("Affiliate", Affiliate.class)
            .qualifiedName("Affiliates.cluster.talos.dev")
            .aliases("affiliate", "affiliates", "a", "as")
            .namespace(Namespaces.CLUSTER)
            .column("HOSTNAME", Affiliate::hostname)
            .column("MACHINE TYPE", Affiliate::machineType)
            .column("ADDRESSES", Affiliate::addresses)
            .build();

    public static final ResourceType<Member> MEMBER = ResourceType
            .builder("Member", Member.class)
            .qualifiedName("Members.cluster.talos.dev")
            .aliases("member", "members", "m", "ms")
            .namespace(Namespaces.CLUSTER)
            .column("HOSTNAME", Member::hostname)
            .column("MACHINE TYPE", Member::machineType)
            .column("OS", Member::operatingSystem)
            .column("ADDRESSES", Member::addresses)
            .build();

    public static final ResourceType<DiscoveryConfig> DISCOVERY_CONFIG = ResourceType
            .builder("DiscoveryConfig", DiscoveryConfig.class)
            .qualifiedName("DiscoveryConfigs.cluster.talos.dev")
            .aliases("discoveryconfig", "discoveryconfigs", "dc", "dcs")
            .namespace(Namespaces.CONFIG)
            .column("DISCOVERY", DiscoveryConfig::discoveryEnabled)
            .column("ENDPOINTS", c -> c.serviceEndpoints().stream().map(e -> e.endpoint()).toList())
            .sensitive("serviceEncryptionKey")
            .build();

    public static final ResourceType<DiscoveredAddress> DISCOVERED_ADDRESS = ResourceType
            .builder("DiscoveredAddress", DiscoveredAddress.class)
            .qualifiedName("DiscoveredAddresses.kubespan.dev")
            .aliases("discoveredaddress", "discoveredaddresses", "da", "das")
            .namespace(Namespaces.CLUSTER)
            .column("ADDRESS", DiscoveredAddress::address)
            .build();

    public static final ResourceType<RegistryStatus> REGISTRY_STATUS = ResourceType
            .builder("RegistryStatus", RegistryStatus.class)
            .qualifiedName("RegistryStatuses.kubespan.dev")
            .aliases("registrystatus", "registrystatuses", "registries", "rs")
            .namespace(Namespaces.CLUSTER)
            .column("ENDPOINT", RegistryStatus::endpoint)
            .column("STATE", RegistryStatus::state)
            .column("AFFILIATES", RegistryStatus::affiliates)
            .column("LAST ERROR", RegistryStatus::lastError)
            .build();

    public static final ResourceType<LinkStatus> LINK_STATUS = ResourceType
            .builder("LinkStatus", LinkStatus.class)
            .qualifiedName("LinkStatuses.kubespan.dev")
            .aliases("linkstatus", "linkstatuses", "link", "links", "ls")
            .namespace(Namespaces.KUBESPAN)
            .column("BACKEND", LinkStatus::backend)
            .column("UP", LinkStatus::up)
            .column("MTU", LinkStatus::mtu)
            .column("PORT", LinkStatus::listenPort)
            .column("PEERS", LinkStatus::peers)
            .column("PID", LinkStatus::pid)
            .build();

    // ---- NAT traversal (dev.kubespan.nat) ----

    public static final ResourceType<NatConfig> NAT_CONFIG = ResourceType
            .builder("NATConfig", NatConfig.class)
            .qualifiedName("NATConfigs.kubespan.dev")
            .aliases("natconfig", "natconfigs", "nc")
            .namespace(Namespaces.CONFIG)
            .column("STUN SERVERS", NatConfig::stunServers)
            .column("RELAY SERVERS", NatConfig::relayServers)
            .sensitive("relayPassword", "relaySharedSecret")
            .build();

    public static final ResourceType<NatMapping> NAT_MAPPING = ResourceType
            .builder("NATMapping", NatMapping.class)
            .qualifiedName("NATMappings.kubespan.dev")
            .aliases("natmapping", "natmappings", "nm", "publicmapping")
            .namespace(Namespaces.KUBESPAN)
            .column("PORT", NatMapping::localPort)
            .column("MAPPED", NatMapping::mappedEndpoint)
            .column("BEHAVIOUR", NatMapping::behaviour)
            .column("ERROR", NatMapping::error)
            .build();

    public static final ResourceType<RelayAllocation> RELAY_ALLOCATION = ResourceType
            .builder("RelayAllocation", RelayAllocation.class)
            .qualifiedName("RelayAllocations.kubespan.dev")
            .aliases("relayallocation", "relayallocations", "relay", "relays", "ra")
            .namespace(Namespaces.KUBESPAN)
            .column("STATE", RelayAllocation::state)
            .column("RELAYED", RelayAllocation::relayedEndpoint)
            .column("PROXIES", r -> r.proxies().size())
            .column("ERROR", RelayAllocation::error)
            .build();

    public static final ResourceType<PathProbe> PATH_PROBE = ResourceType
            .builder("PathProbe", PathProbe.class)
            .qualifiedName("PathProbes.kubespan.dev")
            .aliases("pathprobe", "pathprobes", "pp")
            .namespace(Namespaces.KUBESPAN)
            .column("LABEL", PathProbe::label)
            .column("REACHABLE AT", PathProbe::reachableAt)
            .column("RTT (ms)", PathProbe::rttMillis)
            .column("WINDOWS", PathProbe::windows)
            .build();

    private static final List<ResourceType<?>> ALL = List.of(KUBESPAN_IDENTITY, KUBESPAN_PEER_SPEC,
            KUBESPAN_PEER_STATUS, KUBESPAN_ENDPOINT, KUBESPAN_CONFIG, NODE_IDENTITY, AFFILIATE, MEMBER,
            DISCOVERY_CONFIG, DISCOVERED_ADDRESS, REGISTRY_STATUS, LINK_STATUS,
            NAT_CONFIG, NAT_MAPPING, RELAY_ALLOCATION, PATH_PROBE);

    private ResourceTypes() {
    }

    public static List<ResourceType<?>> all() {
        return ALL;
    }

    /** Finds a type by display name, qualified name or alias (case-insensitive). */
    public static Optional<ResourceType<?>> find(String word) {
        return ALL.stream().filter(t -> t.matches(word)).findFirst();
    }
}
