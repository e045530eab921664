package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Text negotiation after login (RFC 7143 sections 6.2 and 11.10) with the raw initiator: the
 * initiator declares a smaller MaxRecvDataSegmentLength and the target's Data-In obeys it from
 * then on; keys that belong to the login are answered Reject, unknown keys NotUnderstood, and
 * SendTargets works in a normal session. The bytes read are checked against the image file.
 */
class TextNegotiationTest {
    static final int READ_BYTES = 64 << 10;
    static LunportProcess server;
    static Path image;

    @BeforeAll
    static void start() {
        Path dir = Itwork.dir("text-negotiation");
        image = TestImages.holey(dir.resolve("disk.raw"), 8L * TestImages.MIB, 7);
        server = LunportProcess.builder("text-negotiation").lun("disk", image).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    /** READ(10) of the first 64 KiB; returns the data length of every Data-In PDU. */
    static List<Integer> readSegments(IscsiWire w) throws IOException {
        byte[] cdb = {0x28, 0, 0, 0, 0, 0, 0, (byte) (READ_BYTES / 512 >>> 8), (byte) (READ_BYTES / 512), 0};
        List<IscsiWire.Pdu> pdus = w.scsiReadPdus(cdb, READ_BYTES);
        byte[] data = new byte[0];
        for (IscsiWire.Pdu p : pdus) {
            data = IscsiWire.concat(data, p.data());
        }
        assertThat(pdus.get(pdus.size() - 1).u8(3)).as("SCSI status").isZero();
        assertThat(data).isEqualTo(TestImages.read(image, 0, READ_BYTES));
        return pdus.stream().filter(p -> p.opcode() == IscsiWire.OP_DATA_IN).map(p -> p.data().length).toList();
    }

    @Test
    void initiatorDeclaresASmallerMaxRecvDataSegmentLengthAndLoginKeysAreRejected() throws IOException {
        try (IscsiWire w = DiscoveryAndInquiryTest.login(server, "disk")) {
            // Login declared 65536: one Data-In PDU carries the whole 64 KiB.
            assertThat(readSegments(w)).containsExactly(READ_BYTES);

            Map<String, String> keys = new LinkedHashMap<>();
            keys.put("MaxRecvDataSegmentLength", "4096");
            keys.put("HeaderDigest", "CRC32C"); // initialize-only
            keys.put("MaxBurstLength", "512"); // leading-only
            keys.put("InitiatorName", "iqn.2026-11.io.lunport:someone-else");
            keys.put("X-org.example.Unknown", "1");
            keys.put("SendTargets", "All");
            List<String> answer = w.textRequest(keys);
            assertThat(answer).contains("HeaderDigest=Reject", "MaxBurstLength=Reject", "InitiatorName=Reject",
                    "X-org.example.Unknown=NotUnderstood", "TargetName=" + LunportProcess.iqn("disk"));
            assertThat(answer).noneMatch(a -> a.startsWith("MaxRecvDataSegmentLength="));

            List<Integer> segments = readSegments(w);
            assertThat(segments).hasSize(READ_BYTES / 4096).allMatch(n -> n == 4096);

            // Out of range: Reject, and the limit stays at 4096.
            assertThat(w.textRequest(Map.of("MaxRecvDataSegmentLength", "100")))
                    .containsExactly("MaxRecvDataSegmentLength=Reject");
            assertThat(readSegments(w)).allMatch(n -> n == 4096);
        }
    }
}
