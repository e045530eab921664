package io.lunport.iscsi.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {

    @Test
    void delayDoublesPerFailureUpToTheBound() {
        assertThat(LoginThrottle.delayFor(0)).isEqualTo(Duration.ZERO);
        assertThat(LoginThrottle.delayFor(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(LoginThrottle.delayFor(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(LoginThrottle.delayFor(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(LoginThrottle.delayFor(6)).isEqualTo(Duration.ofMillis(3200));
        assertThat(LoginThrottle.delayFor(7)).isEqualTo(LoginThrottle.MAX_DELAY);
        assertThat(LoginThrottle.delayFor(1000)).isEqualTo(LoginThrottle.MAX_DELAY);
    }

    @Test
    void failuresCountPerAddressAndSuccessForgetsThem() throws Exception {
        LoginThrottle throttle = new LoginThrottle();
        InetAddress a = InetAddress.getByName("192.0.2.1");
        InetAddress b = InetAddress.getByName("192.0.2.2");
        assertThat(throttle.failed(a)).isEqualTo(1);
        assertThat(throttle.failed(a)).isEqualTo(2);
        assertThat(throttle.failed(b)).isEqualTo(1);
        throttle.succeeded(a);
        assertThat(throttle.failed(a)).isEqualTo(1);
        assertThat(throttle.failed(b)).isEqualTo(2);
    }
}
