package io.lunport.server.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses HOST:PORT and [IPV6]:PORT as --listen and --metrics-listen take them. */
final class ListenAddress {

    static final int ISCSI_PORT = 3260;
    /** The metrics port of DESIGN.md's example configuration. */
    static final int METRICS_PORT = 9404;

    private ListenAddress() {
    }

    /** An iSCSI portal for --listen; the port defaults to 3260. */
    static InetSocketAddress parse(String value) {
        return parse("--listen", value, ISCSI_PORT);
    }

    /** {@code flag}'s HOST:PORT; the port defaults to {@code defaultPort}. Errors name the flag. */
    static InetSocketAddress parse(String flag, String value, int defaultPort) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException(flag + " " + value + ": missing ']'");
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
            throw new IllegalArgumentException(flag + " " + value + ": port is not a number");
        }
        if (portNumber < 0 || portNumber > 65535) {
            throw new IllegalArgumentException(flag + " " + value + ": port out of range");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), portNumber);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(flag + " " + value + ": unknown host " + host);
        }
    }
}
