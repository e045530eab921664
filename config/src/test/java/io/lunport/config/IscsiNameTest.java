package io.lunport.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class IscsiNameTest {

    @Test
    void acceptsTheThreeFormsOfRfc7143() {
        assertThat(IscsiName.problemWith("iqn.1991-05.com.microsoft:host1")).isEmpty();
        assertThat(IscsiName.problemWith("iqn.2026-11.io.lunport:web01")).isEmpty();
        assertThat(IscsiName.problemWith("iqn.2007-10.com.github:sahlberg:libiscsi:iscsi-test")).isEmpty();
        assertThat(IscsiName.problemWith("eui.02004567a425678d")).isEmpty();
        assertThat(IscsiName.problemWith("naa.52004567ba64678d")).isEmpty();
        assertThat(IscsiName.problemWith("naa.62004567ba64678d0123456789abcdef")).isEmpty();
    }

    @Test
    void namesWhatIsWrong() {
        assertThat(IscsiName.problemWith("")).hasValueSatisfying(p -> assertThat(p).contains("empty"));
        assertThat(IscsiName.problemWith("iqn.2026-13.io.lunport:x")).hasValueSatisfying(p -> assertThat(p).contains("yyyy-mm")); // no month 13
        assertThat(IscsiName.problemWith("iqn.2026-11.IO.lunport:x")).hasValueSatisfying(p -> assertThat(p).contains("lower case"));
        assertThat(IscsiName.problemWith("eui.0200")).hasValueSatisfying(p -> assertThat(p).contains("16 hex digits"));
        assertThat(IscsiName.problemWith("naa.1234")).hasValueSatisfying(p -> assertThat(p).contains("16 or 32 hex digits"));
        assertThat(IscsiName.problemWith("iqn.2026-11.io..lunport")).hasValueSatisfying(p -> assertThat(p).contains("reversed domain name"));
        assertThat(IscsiName.problemWith("iqn.2026-11.io.lunport:" + "x".repeat(220))).hasValueSatisfying(p -> assertThat(p).contains("223"));
        assertThat(IscsiName.problemWith("target1")).isPresent();
    }

    @Test
    void aLunNameBecomesATargetNameUnderLunportsAuthority() {
        assertThat(IscsiName.forLunName("web01")).isEqualTo("iqn.2026-11.io.lunport:web01");
        assertThat(IscsiName.problemWith(IscsiName.forLunName("db-2.disk0"))).isEmpty();
        assertThatThrownBy(() -> IscsiName.forLunName("Web01")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> IscsiName.forLunName("a b")).isInstanceOf(IllegalArgumentException.class);
    }
}
