package dev.kubespan.identity.internal;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

import dev.kubespan.api.net.LinkInfo;

/**
 * Picks the link whose MAC becomes the host half of the KubeSpan address (docs/architecture.md
 * §8, decision 3). Talos takes the first physical Ethernet link by name. Where there is none (a
 * namespace with only veth links, a tun-only box) we take the first Ethernet-type link by name
 * with a non-zero unicast MAC; never {@code lo}, whose zero MAC would give every such node the
 * same address. An operator may name the link instead.
 */
final class MacSelector {
    private static final String LOOPBACK = "lo";

    /** The chosen link, its MAC, and whether the fallback rule chose it. */
    record Choice(LinkInfo link, byte[] mac, Rule rule) {
        String describe() {
            String what = switch (rule) {
                case CONFIGURED -> "the configured link";
                case PHYSICAL -> "the first physical Ethernet link";
                case FALLBACK -> "no physical Ethernet link; the first Ethernet-type link"
                        + (link.kind().isEmpty() ? "" : " (kind " + link.kind() + ")");
            };
            return what + " " + link.name() + " (" + Eui64.format(mac) + ")";
        }
    }

    enum Rule {
        CONFIGURED, PHYSICAL, FALLBACK
    }

    private MacSelector() {
    }

    /**
     * Chooses a link. {@code override} names the link to use (blank = automatic).
     *
     * @throws IllegalArgumentException saying why no link qualifies
     */
    static Choice choose(List<LinkInfo> links, String override) {
        List<LinkInfo> byName = links.stream().sorted(Comparator.comparing(LinkInfo::name)).toList();
        if (override != null && !override.isBlank()) {
            String name = override.trim();
            LinkInfo l = byName.stream().filter(x -> x.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("configured link '" + name + "' does not exist"));
            byte[] mac;
            try {
                mac = Eui64.parseMac(l.hardwareAddress());
                Eui64.interfaceId(mac);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("configured link '" + name + "' has no usable hardware address: "
                        + e.getMessage());
            }
            if (Eui64.isZero(mac)) {
                throw new IllegalArgumentException("configured link '" + name + "' has an all-zero hardware address");
            }
            return new Choice(l, mac, Rule.CONFIGURED);
        }
        for (LinkInfo l : byName) {
            if (l.physical() && !LOOPBACK.equals(l.name())) {
                Optional<byte[]> mac = usableMac(l, false);
                if (mac.isPresent()) {
                    return new Choice(l, mac.get(), Rule.PHYSICAL);
                }
            }
        }
        for (LinkInfo l : byName) {
            if (l.type() == LinkInfo.ARPHRD_ETHER && !LOOPBACK.equals(l.name())) {
                Optional<byte[]> mac = usableMac(l, true);
                if (mac.isPresent()) {
                    return new Choice(l, mac.get(), Rule.FALLBACK);
                }
            }
        }
        throw new IllegalArgumentException("no Ethernet link with a usable hardware address among "
                + byName.stream().map(LinkInfo::name).toList());
    }

    // A physical link is taken with any valid EUI-48/64 as Talos does, but not with a zero MAC,
    // for the same reason lo is never taken. The fallback also insists on a unicast EUI-48.
    private static Optional<byte[]> usableMac(LinkInfo l, boolean strict) {
        byte[] mac;
        try {
            mac = Eui64.parseMac(l.hardwareAddress());
            Eui64.interfaceId(mac);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        if (Eui64.isZero(mac)) {
            return Optional.empty();
        }
        if (strict && (mac.length != 6 || !Eui64.isUnicast(mac))) {
            return Optional.empty();
        }
        return Optional.of(mac);
    }
}
