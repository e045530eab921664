package io.lunport.config;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * Parses HOST:PORT and [IPV6]:PORT as {@code --listen}, {@code listen:} and
 * {@code --metrics-listen} and {@code metrics.listen} take them; the port defaults to 3260
 * for iSCSI portals and 9404 for metrics. The exception's message says what is wrong
 * without naming the flag or key: callers add that.
 */
public final class ListenAddress {

    public static final int ISCSI_PORT = 3260;
    /** The metrics port of DESIGN.md's example configuration. */
    public static final int METRICS_PORT = 9404;

    /** Where lunport listens when neither the command line nor the file says. */
    public static final String DEFAULT = "127.0.0.1:" + ISCSI_PORT;

    private ListenAddress() {
    }

    /** An iSCSI portal; the port defaults to 3260. */
    public static InetSocketAddress parse(String value) {
        return parse(value, ISCSI_PORT);
    }

    /** HOST:PORT where the port defaults to {@code defaultPort}. */
    public static InetSocketAddress parse(String value, int defaultPort) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("missing ']'");
            }
            host = value.substring(1, close);
            port = value.length() > close + 1 && value.charAt(close + 1) == ':' ? value.substring(close + 2) : null;
        } else {
            int colon = value.lastIndexOf(':');
            host = colon < 0 ? value : value.substring(0, colon);
            port = colon < 0 ? null : value.substring(colon + 1);
        }
        int portNumber;
        try {
            portNumber = port == null ? defaultPort : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("port is not a number");
        }
        if (portNumber < 0 || portNumber > 65535) {
            throw new IllegalArgumentException("port out of range");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), portNumber);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("unknown host " + host);
        }
    }
}
