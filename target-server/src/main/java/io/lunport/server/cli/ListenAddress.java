package io.lunport.server.cli;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/** Parses HOST:PORT and [IPV6]:PORT as --listen takes them; the port defaults to 3260. */
final class ListenAddress {

    static final int ISCSI_PORT = 3260;

    private ListenAddress() {
    }

    static InetSocketAddress parse(String value) {
        String host;
        String port;
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("--listen " + value + ": missing ']'");
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
            portNumber = port == null ? ISCSI_PORT : Integer.parseInt(port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--listen " + value + ": port is not a number");
        }
        if (portNumber < 0 || portNumber > 65535) {
            throw new IllegalArgumentException("--listen " + value + ": port out of range");
        }
        try {
            return new InetSocketAddress(InetAddress.getByName(host), portNumber);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("--listen " + value + ": unknown host " + host);
        }
    }
}
