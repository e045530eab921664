package io.lunport.iscsi.target;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

/** TargetAddress text: IPv4 as is, IPv6 in brackets in the RFC 5952 short form. */
class PortalTest {

    private static Portal portal(String host, int port, int tag) throws Exception {
        return new Portal(new InetSocketAddress(InetAddress.getByName(host), port), tag);
    }

    private static String shortForm(String address) throws Exception {
        return Portal.shortForm((Inet6Address) InetAddress.getByName(address));
    }

    @Test
    void ipv4() throws Exception {
        assertThat(portal("127.0.0.1", 3260, 1).targetAddress()).isEqualTo("127.0.0.1:3260,1");
        assertThat(portal("192.168.10.200", 3261, 2).hostPort()).isEqualTo("192.168.10.200:3261");
    }

    @Test
    void ipv6InBrackets() throws Exception {
        assertThat(portal("::1", 3260, 1).targetAddress()).isEqualTo("[::1]:3260,1");
        assertThat(portal("fe80::1", 3260, 3).targetAddress()).isEqualTo("[fe80::1]:3260,3");
        assertThat(portal("2001:db8:0:0:1:0:0:1", 3260, 1).targetAddress()).isEqualTo("[2001:db8::1:0:0:1]:3260,1");
    }

    @Test
    void rfc5952ShortForm() throws Exception {
        assertThat(shortForm("::1")).isEqualTo("::1");
        assertThat(shortForm("::")).isEqualTo("::");
        assertThat(shortForm("1::")).isEqualTo("1::");
        assertThat(shortForm("fe80:0:0:0:0:0:0:1")).isEqualTo("fe80::1");
        // Two equal runs: the first is compressed.
        assertThat(shortForm("2001:db8:0:0:1:0:0:1")).isEqualTo("2001:db8::1:0:0:1");
        // The longest run wins even when it comes second.
        assertThat(shortForm("2001:0:0:1:0:0:0:1")).isEqualTo("2001:0:0:1::1");
        // A single zero group is not compressed.
        assertThat(shortForm("2001:db8:0:1:1:1:1:1")).isEqualTo("2001:db8:0:1:1:1:1:1");
        // Lower case, no leading zeros.
        assertThat(shortForm("2001:0DB8:00AB:0000:0000:0000:0000:000F")).isEqualTo("2001:db8:ab::f");
    }
}
