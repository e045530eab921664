package io.lunport.iscsi.text;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TextParametersTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void roundTripKeepsOrderAndValues() throws Exception {
        Map<String, String> pairs = new LinkedHashMap<>();
        pairs.put("InitiatorName", "iqn.1991-05.com.microsoft:host1");
        pairs.put("HeaderDigest", "None,CRC32C");
        pairs.put("TargetAlias", "web01 ü");
        pairs.put("Empty", "");
        byte[] encoded = TextParameters.encode(pairs);
        assertThat(new String(encoded, StandardCharsets.UTF_8)).isEqualTo(
                "InitiatorName=iqn.1991-05.com.microsoft:host1\0HeaderDigest=None,CRC32C\0TargetAlias=web01 ü\0Empty=\0");
        assertThat(TextParameters.parse(encoded)).containsExactlyEntriesOf(pairs);

        ByteBuf buf = TextParameters.encode(pairs, UnpooledByteBufAllocator.DEFAULT);
        assertThat(buf.toString(StandardCharsets.UTF_8)).isEqualTo(new String(encoded, StandardCharsets.UTF_8));
        buf.release();
    }

    @Test
    void nulHandling() throws Exception {
        // The last pair may lack its NUL; stray NULs (padding, empty pairs) are skipped.
        assertThat(TextParameters.parse(bytes("A=1\0B=2"))).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
        assertThat(TextParameters.parse(bytes("A=1\0\0\0B=2\0\0"))).containsExactly(Map.entry("A", "1"), Map.entry("B", "2"));
        assertThat(TextParameters.parse(bytes("\0"))).isEmpty();
        assertThat(TextParameters.parse(new byte[0])).isEmpty();
    }

    @Test
    void onlyTheFirstEqualsSignSeparates() throws Exception {
        assertThat(TextParameters.parse(bytes("CHAP_C=0bYWJj==\0"))).containsEntry("CHAP_C", "0bYWJj==");
    }

    @Test
    void malformedPairsAreRejected() {
        assertThatThrownBy(() -> TextParameters.parse(bytes("NoEquals\0"))).isInstanceOf(TextFormatException.class);
        assertThatThrownBy(() -> TextParameters.parse(bytes("=value\0"))).isInstanceOf(TextFormatException.class);
    }

    @Test
    void aKeyGivenTwiceIsRejected() {
        assertThatThrownBy(() -> TextParameters.parse(bytes("A=1\0B=2\0A=1\0")))
                .isInstanceOf(TextFormatException.class).hasMessageContaining("A");
    }

    @Test
    void keysOver63BytesAreRejected() throws Exception {
        String k63 = "K".repeat(63);
        assertThat(TextParameters.parse(bytes(k63 + "=v\0"))).containsKey(k63);
        assertThatThrownBy(() -> TextParameters.parse(bytes("K".repeat(64) + "=v\0"))).isInstanceOf(TextFormatException.class);
    }

    @Test
    void keyLengthIsCountedInBytes() {
        // 32 two-byte characters: 32 chars but 64 bytes on the wire.
        String key = "é".repeat(32);
        assertThatThrownBy(() -> TextParameters.parse(bytes(key + "=v\0"))).isInstanceOf(TextFormatException.class);
    }
}
