package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** A 3 TiB sparse LUN: 64-bit LBAs in READ CAPACITY(16) and reads beyond 2 TiB. */
class LargeLunTest {
    static final long TIB = 1L << 40;
    static final long SIZE = 3 * TIB;

    @Test
    void threeTerabyteLun() throws Exception {
        Path image = TestImages.sparse(Itwork.dir("large").resolve("3tib.raw"), SIZE);
        // Known bytes near the very end and across the 2 TiB (2^32 blocks) boundary: a server
        // that wraps LBAs at 32 bits reads LBA 0.. (a hole) for the second half of the 0x3c run,
        // and one that answers zeros everywhere fails the 0x5a read.
        long end = SIZE - 64 * 1024;
        long boundary = 2 * TIB - 2048;
        try (RandomAccessFile raf = new RandomAccessFile(image.toFile(), "rw")) {
            byte[] b = new byte[4096];
            Arrays.fill(b, (byte) 0x5a);
            raf.seek(end + 32 * 1024);
            raf.write(b);
            Arrays.fill(b, (byte) 0x3c);
            raf.seek(boundary);
            raf.write(b);
        }
        try (LunportProcess s = LunportProcess.builder("large").lun("big", image).start()) {
            String rc = Tools.check("iscsi-readcapacity16", s.url("big")).stdout();
            assertThat(rc).as(rc).contains("RETURNED LOGICAL BLOCK ADDRESS:" + (SIZE / 512 - 1) + "\n")
                    .contains("LOGICAL BLOCK LENGTH IN BYTES:512\n");
            assertThat(Tools.check("iscsi-readcapacity16", "-s", s.url("big")).stdout().trim()).isEqualTo(Long.toString(SIZE));

            Tools.check("qemu-io", "-r", "-f", "raw", "-c", "read -P 0 " + end + " 32k", s.url("big"));
            Tools.check("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x5a " + (end + 32 * 1024) + " 4k", s.url("big"));
            Tools.check("qemu-io", "-r", "-f", "raw", "-c", "read -P 0x3c " + boundary + " 4k", s.url("big"));
        }
    }
}
