package io.lunport.iscsi.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FullFeatureNegotiationTest {

    static final NegotiatedParameters LOGGED_IN =
            new NegotiatedParameters(false, false, 65536, 262144, 262144, 65536, true, false, 1, 2, 0);

    @Test
    void onlyMaxRecvDataSegmentLengthChangesAfterLogin() {
        Map<String, String> request = new LinkedHashMap<>();
        request.put("MaxRecvDataSegmentLength", "0x1000");
        request.put("DataDigest", "CRC32C");
        request.put("ErrorRecoveryLevel", "1");
        request.put("TargetName", "iqn.2026-11.io.lunport:other");
        request.put("CHAP_A", "5");
        request.put("X-org.example.Thing", "yes");
        FullFeatureNegotiation.Outcome o = FullFeatureNegotiation.negotiate(request, LOGGED_IN);
        assertThat(o.parameters().initiatorMaxRecvDataSegmentLength()).isEqualTo(4096);
        assertThat(o.parameters()).isEqualTo(LOGGED_IN.withInitiatorMaxRecvDataSegmentLength(4096));
        assertThat(o.answers()).containsExactly(Map.entry("DataDigest", "Reject"), Map.entry("ErrorRecoveryLevel", "Reject"),
                Map.entry("TargetName", "Reject"), Map.entry("CHAP_A", "Reject"),
                Map.entry("X-org.example.Thing", "NotUnderstood"));
    }

    @Test
    void anOutOfRangeOrMalformedLimitIsRejectedAndChangesNothing() {
        for (String bad : new String[] {"511", "16777216", "lots", ""}) {
            FullFeatureNegotiation.Outcome o = FullFeatureNegotiation.negotiate(
                    new LinkedHashMap<>(Map.of("MaxRecvDataSegmentLength", bad)), LOGGED_IN);
            assertThat(o.answers()).as(bad).containsExactly(Map.entry("MaxRecvDataSegmentLength", "Reject"));
            assertThat(o.parameters()).isSameAs(LOGGED_IN);
        }
    }
}
