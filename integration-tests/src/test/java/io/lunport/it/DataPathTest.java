package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Reads through QEMU's iSCSI driver (libiscsi) checked byte for byte against the image:
 * a whole-image convert, qemu-img compare, header digests, and eight initiators at once.
 */
class DataPathTest {
    static final long SIZE = 64L * TestImages.MIB;
    static Path dir;
    static Path image;
    static LunportProcess server;

    @BeforeAll
    static void start() {
        dir = Itwork.dir("datapath");
        image = TestImages.holey(dir.resolve("image.raw"), SIZE, 7);
        server = LunportProcess.builder("datapath").lun("disk", image).start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void qemuImgConvertCopiesEveryByte() throws Exception {
        Path out = dir.resolve("convert.raw");
        Files.deleteIfExists(out);
        Tools.check(Duration.ofSeconds(120), "qemu-img", "convert", "-f", "raw", "-O", "raw", server.url("disk"), out.toString());
        TestImages.assertSameBytes(image, out);
    }

    @Test
    void qemuImgCompareSaysIdentical() {
        String out = Tools.check(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "raw", "-F", "raw",
                server.url("disk"), image.toString()).stdout();
        assertThat(out).contains("Images are identical.");
    }

    @Test
    void qemuImgCompareNoticesADifference() {
        // Guards the test above: compare really reads the LUN.
        Path other = TestImages.holey(dir.resolve("other.raw"), SIZE, 8);
        Tools.Result r = Tools.run(Duration.ofSeconds(120), "qemu-img", "compare", "-f", "raw", "-F", "raw",
                server.url("disk"), other.toString());
        assertThat(r.exitCode()).as(r.describe()).isEqualTo(1);
        assertThat(r.stdout()).contains("Content mismatch");
    }

    /**
     * QEMU's iscsi driver offers header-digest = crc32c | none | crc32c-none | none-crc32c;
     * it has no data-digest option ("Block protocol 'iscsi' doesn't support the option").
     * crc32c alone means the login fails unless the target agrees to CRC32C.
     */
    @Test
    void headerDigestCrc32c() throws Exception {
        Path out = dir.resolve("digest.raw");
        Files.deleteIfExists(out);
        Tools.check(Duration.ofSeconds(120), "qemu-img", "convert", "--image-opts",
                "driver=raw,file.driver=iscsi,file.transport=tcp,file.portal=" + server.portal()
                        + ",file.target=" + LunportProcess.iqn("disk") + ",file.lun=0,file.header-digest=crc32c",
                "-O", "raw", out.toString());
        TestImages.assertSameBytes(image, out);
    }

    @Test
    void eightInitiatorsReadDifferentRangesAtOnce() throws Exception {
        int readers = 8;
        long range = SIZE / readers;
        ExecutorService pool = Executors.newFixedThreadPool(readers);
        try {
            List<Future<Tools.Result>> runs = new ArrayList<>();
            List<Path> outs = new ArrayList<>();
            for (int i = 0; i < readers; i++) {
                // Each reader covers its own range plus a 1 MiB overlap into the next one, so
                // ranges straddle data/hole boundaries and the readers contend for the same blocks.
                long offset = i * range;
                long length = Math.min(range + TestImages.MIB, SIZE - offset);
                Path out = dir.resolve("part-" + i + ".raw");
                Files.deleteIfExists(out);
                outs.add(out);
                String opts = "driver=raw,offset=" + offset + ",size=" + length
                        + ",file.driver=iscsi,file.transport=tcp,file.portal=" + server.portal()
                        + ",file.target=" + LunportProcess.iqn("disk") + ",file.lun=0"
                        + ",file.initiator-name=iqn.2026-11.io.lunport:reader-" + i;
                runs.add(pool.submit(() -> Tools.run(Duration.ofSeconds(120),
                        "qemu-img", "convert", "--image-opts", opts, "-O", "raw", out.toString())));
            }
            for (int i = 0; i < readers; i++) {
                Tools.Result r = runs.get(i).get();
                assertThat(r.ok()).as(r.describe()).isTrue();
                long offset = i * range;
                byte[] got = Files.readAllBytes(outs.get(i));
                byte[] want = TestImages.read(image, offset, (int) Math.min(range + TestImages.MIB, SIZE - offset));
                assertThat(got.length).as("reader %d length", i).isEqualTo(want.length);
                assertThat(java.util.Arrays.mismatch(got, want)).as("reader %d first wrong byte", i).isEqualTo(-1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void qemuIoPatternReadOfData() {
        // 1 MiB of random data starts at every 4 MiB; 3 MiB..4 MiB is a hole: reads as zeros.
        Tools.check("qemu-io", "-r", "-f", "raw", "-c", "read -P 0 3M 1M", server.url("disk"));
        Tools.Result r = Tools.run(Tools.DEFAULT_TIMEOUT, "qemu-io", "-r", "-f", "raw", "-c", "read -P 0 4M 64k", server.url("disk"));
        assertThat(r.exitCode()).as("random data is not all zeros:\n" + r.describe()).isNotZero();
        assertThat(r.output()).contains("Pattern verification failed");
    }
}
