package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Writes through qemu-io to a {@code --direct} LUN land in the file in place, and nowhere else. */
class WriteTest {
    static final long SIZE = 64L * TestImages.MIB;

    @Test
    void qemuIoWriteLandsInTheFileInPlace() throws Exception {
        Path dir = Itwork.dir("write");
        Path oracle = TestImages.holey(dir.resolve("oracle.raw"), SIZE, 9);
        Path image = TestImages.holey(dir.resolve("direct.raw"), SIZE, 9);
        try (LunportProcess s = LunportProcess.builder("direct").lun("rw", image).direct().start()) {
            String w = Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 64k", s.url("rw")).stdout();
            assertThat(w).contains("wrote 65536/65536 bytes at offset 1048576");
            String r = Tools.check("qemu-io", "-f", "raw", "-c", "read -P 0xab 1M 64k", s.url("rw")).stdout();
            assertThat(r).contains("read 65536/65536 bytes at offset 1048576");
            Tools.Result wrong = Tools.run(Tools.DEFAULT_TIMEOUT, "qemu-io", "-f", "raw", "-c", "read -P 0xac 1M 64k", s.url("rw"));
            assertThat(wrong.exitCode()).as(wrong.describe()).isNotZero();
            // A write that straddles data (4 MiB..5 MiB) and a hole, not block-aligned to 4 KiB.
            Tools.check("qemu-io", "-f", "raw", "-c", "write -P 0x5c 5119k 3k", s.url("rw"));
            Tools.check("qemu-io", "-f", "raw", "-c", "read -P 0x5c 5119k 3k", s.url("rw"));
            assertFile(image, oracle);
        }
        assertFile(image, oracle);
    }

    @Test
    void readOnlyLunRefusesWrites() throws Exception {
        Path dir = Itwork.dir("write");
        Path oracle = TestImages.holey(dir.resolve("ro-oracle.raw"), 16L * TestImages.MIB, 10);
        Path image = TestImages.holey(dir.resolve("ro.raw"), 16L * TestImages.MIB, 10);
        try (LunportProcess s = LunportProcess.builder("readonly").lun("ro", image).readOnly().start()) {
            Tools.Result r = Tools.run(Tools.DEFAULT_TIMEOUT, "qemu-io", "-f", "raw", "-c", "write -P 0xab 1M 64k", s.url("ro"));
            assertThat(r.exitCode()).as(r.describe()).isNotZero();
            // MODE SENSE reports the WP bit, so the initiator refuses before it writes.
            assertThat(r.stderr()).as(r.describe()).contains("write protected");
            // and reads still work
            Tools.check("qemu-io", "-r", "-f", "raw", "-c", "read -P 0 2M 1M", s.url("ro"));
        }
        TestImages.assertSameBytes(oracle, image);
    }

    /** image == oracle except 1M..1M+64k (0xab) and 5119k..5122k (0x5c). */
    private static void assertFile(Path image, Path oracle) throws Exception {
        byte[] got = Files.readAllBytes(image);
        byte[] want = Files.readAllBytes(oracle);
        Arrays.fill(want, 1 << 20, (1 << 20) + 65536, (byte) 0xab);
        Arrays.fill(want, 5119 * 1024, 5122 * 1024, (byte) 0x5c);
        assertThat(got.length).isEqualTo(want.length);
        assertThat(Arrays.mismatch(got, want)).as("first byte of %s that differs from the expected content", image)
                .isEqualTo(-1);
    }
}
