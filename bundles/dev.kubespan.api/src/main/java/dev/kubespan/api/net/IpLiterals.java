package dev.kubespan.api.net;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.regex.Pattern;

/** IP literal parsing without DNS, and canonical formatting (RFC 5952 for IPv6). */
public final class IpLiterals {
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6ISH = Pattern.compile("[0-9a-fA-F:.]+");

    private IpLiterals() {
    }

    /** Parses an IPv4 or IPv6 literal; a host name or anything else is rejected. */
    public static InetAddress parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("empty IP address");
        }
        String s = text.trim();
        boolean v4 = IPV4.matcher(s).matches();
        boolean v6 = s.indexOf(':') >= 0 && IPV6ISH.matcher(s).matches();
        if (!v4 && !v6) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
        if (v4) {
            for (String part : s.split("\\.")) {
                if (Integer.parseInt(part) > 255) {
                    throw new IllegalArgumentException("not an IP address: '" + text + "'");
                }
            }
        }
        try {
            InetAddress a = InetAddress.getByName(s);
            if (a instanceof Inet6Address six && six.getScopeId() != 0) {
                return InetAddress.getByAddress(six.getAddress());
            }
            return a;
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: '" + text + "'");
        }
    }

    /** IPv4 dotted quad, or compressed lower-case IPv6 ({@code fd00::1}); no brackets. */
    public static String format(InetAddress a) {
        if (!(a instanceof Inet6Address)) {
            return a.getHostAddress();
        }
        byte[] b = a.getAddress();
        int[] w = new int[8];
        for (int i = 0; i < 8; i++) {
            w[i] = ((b[2 * i] & 0xff) << 8) | (b[2 * i + 1] & 0xff);
        }
        int bestStart = -1;
        int bestLen = 1;
        for (int i = 0; i < 8;) {
            if (w[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && w[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                sb.append("::");
                i += bestLen - 1;
                continue;
            }
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != ':') {
                sb.append(':');
            }
            sb.append(Integer.toHexString(w[i]));
        }
        return sb.toString();
    }
}
