package dev.kubespan.net.netlink;

/**
 * Generic netlink framing ({@code linux/genetlink.h}): after the nlmsghdr comes a 4-byte
 * {@code genlmsghdr {u8 cmd, u8 version, u16 reserved}}, then the family's attributes. The
 * nlmsg_type is the family id, which {@link GenlFamilyResolver} looks up by name.
 */
public final class GenericNetlink {
    public static final int GENL_HDRLEN = 4;
    /** The controller family's fixed id ("nlctrl"). */
    public static final int GENL_ID_CTRL = 0x10;
    public static final int CTRL_CMD_GETFAMILY = 3;
    public static final int CTRL_VERSION = 1;
    public static final int CTRL_ATTR_FAMILY_ID = 1;
    public static final int CTRL_ATTR_FAMILY_NAME = 2;
    public static final int CTRL_ATTR_VERSION = 3;
    public static final int CTRL_ATTR_HDRSIZE = 4;
    public static final int CTRL_ATTR_MAXATTR = 5;
    public static final int CTRL_ATTR_MCAST_GROUPS = 7;
    public static final int CTRL_ATTR_MCAST_GRP_NAME = 1;
    public static final int CTRL_ATTR_MCAST_GRP_ID = 2;

    private GenericNetlink() {
    }

    /** A request to {@code familyId} with the genl header written; add attributes next. */
    public static NetlinkRequest request(int familyId, int cmd, int version, int flags, String description) {
        return new NetlinkRequest(familyId, flags, description).u8(cmd).u8(version).u16(0);
    }

    /** The command byte of a received genl message. */
    public static int command(NetlinkMessage m) {
        return m.payload().length > 0 ? m.payload()[0] & 0xff : -1;
    }

    /** The attributes after the genl header. */
    public static NetlinkAttributes attributes(NetlinkMessage m) {
        return m.attributes(GENL_HDRLEN);
    }
}
