package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * EXTENDED COPY between two LUNs of one server, sent by the raw initiator to the destination:
 * the blocks never cross the network, the destination's writes land in its overlay (its image
 * file keeps its bytes), and qemu-img, reading the destination over iSCSI, sees the source.
 */
class ExtendedCopyTest {
    static final long SIZE = 8L * TestImages.MIB;

    /** Identification CSCD descriptor (E4h): the LU whose NAA designator this is, 512-byte blocks. */
    static void cscd(ByteBuffer list, int at, byte[] naa) {
        list.put(at, (byte) 0xE4);
        list.put(at + 4, (byte) 0x01);
        list.put(at + 5, (byte) 0x03);
        list.put(at + 7, (byte) naa.length);
        list.put(at + 8, naa);
        list.put(at + 30, (byte) 0x02);
    }

    @Test
    void copiesAWholeLunIntoAnotherLunsOverlay() throws IOException {
        Path dir = Itwork.dir("extended-copy");
        Path source = TestImages.holey(dir.resolve("source.raw"), SIZE, 11);
        Path destination = TestImages.sparse(dir.resolve("destination.raw"), SIZE);
        String destinationBefore = OverlayTest.sha256(destination);
        try (LunportProcess s = LunportProcess.builder("extended-copy").lun("source", source).lun("destination", destination)
                .stateDir(Itwork.fresh(dir.resolve("state"))).start()) {
            byte[] sourceNaa = DiscoveryAndInquiryTest.naa(s, "source");
            byte[] destinationNaa = DiscoveryAndInquiryTest.naa(s, "destination");
            ByteBuffer list = ByteBuffer.allocate(16 + 64 + 28);
            list.put(0, (byte) 1); // list identifier
            list.putShort(2, (short) 64);
            list.putInt(8, 28);
            cscd(list, 16, sourceNaa);
            cscd(list, 48, destinationNaa);
            list.put(80, (byte) 0x02); // block to block
            list.putShort(82, (short) 24);
            list.putShort(84, (short) 0); // source: CSCD 0
            list.putShort(86, (short) 1); // destination: CSCD 1
            list.putShort(90, (short) (SIZE / 512));
            // source and destination LBA 0
            int n = list.capacity();
            byte[] cdb = {(byte) 0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, (byte) (n >>> 8), (byte) n, 0, 0};
            try (IscsiWire w = new IscsiWire("127.0.0.1", s.port(), Duration.ofSeconds(30))) {
                w.login("iqn.2026-11.io.lunport:it-xcopy", LunportProcess.iqn("destination"));
                IscsiWire.ScsiResult r = w.scsiWrite(cdb, list.array());
                assertThat(r.status()).as("EXTENDED COPY status, sense %s", java.util.HexFormat.of().formatHex(r.data()))
                        .isZero();
            }
            String compare = Tools.check(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "raw", "-F", "raw",
                    source.toString(), s.url("destination")).stdout();
            assertThat(compare).contains("Images are identical");
        }
        assertThat(OverlayTest.sha256(destination)).as("the destination image is never written").isEqualTo(destinationBefore);
    }
}
