package io.lunport.iscsi.target;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** A listening address and the portal group it belongs to. */
public record Portal(InetSocketAddress address, int groupTag) {

    /** The TargetAddress value of SendTargets: host:port,tag with IPv6 in brackets. */
    public String targetAddress() {
        return hostPort() + "," + groupTag;
    }

    /** host:port, IPv6 in brackets and in its short form (RFC 5952), as initiators take it. */
    public String hostPort() {
        String host = address.getAddress().getHostAddress();
        if (address.getAddress() instanceof Inet6Address v6) {
            host = "[" + shortForm(v6) + "]";
        }
        return host + ":" + address.getPort();
    }

    /** The RFC 5952 text of an IPv6 address: the longest run of two or more zero groups as "::". */
    static String shortForm(Inet6Address address) {
        byte[] b = address.getAddress();
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((b[2 * i] & 0xFF) << 8) | (b[2 * i + 1] & 0xFF);
        }
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j == i ? i + 1 : j;
        }
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }
}
