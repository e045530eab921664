package io.lunport.config;

import java.net.InetSocketAddress;

/** One address to listen on, as written ({@code text}) and resolved. */
public record PortalConfig(String text, InetSocketAddress address, Origin origin) {

    public boolean isLoopback() {
        return address.getAddress().isLoopbackAddress();
    }
}
