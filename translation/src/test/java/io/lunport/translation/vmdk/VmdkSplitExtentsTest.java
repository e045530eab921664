package io.lunport.translation.vmdk;

import static io.lunport.translation.blockmap.QemuImages.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.blockmap.QemuImages;
import io.lunport.translation.blockmap.ImageTests;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * twoGbMaxExtent disks larger than one extent: reads that cross from one extent file into
 * the next, checked around every written region, at the extent seams and at random places.
 */
class VmdkSplitExtentsTest {

    static final long SIZE = 5L * 1024 * 1024 * 1024 + 7 * 512;
    static final long[] WRITES = {0, 2L * 1024 * 1024 * 1024 - 100_000, 4L * 1024 * 1024 * 1024 - 512,
            3L * 1024 * 1024 * 1024 + 12345 * 512, SIZE - 300_000};

    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"twoGbMaxExtentSparse", "twoGbMaxExtentFlat"})
    void readsAcrossExtentFiles(String subformat) throws Exception {
        Path raw = dir.resolve(subformat + ".raw");
        Random random = new Random(45);
        try (RandomAccessFile out = new RandomAccessFile(raw.toFile(), "rw")) {
            out.setLength(SIZE);
            for (long at : WRITES) {
                byte[] data = new byte[(int) Math.min(200_000, SIZE - at)];
                random.nextBytes(data);
                out.seek(at);
                out.write(data);
            }
        }
        Path image = dir.resolve(subformat + ".vmdk");
        run("qemu-img", "convert", "-O", "vmdk", "-o", "subformat=" + subformat, raw.toString(), image.toString());
        try (BlockSource source = QemuImages.open(image);
             FileChannel expected = FileChannel.open(raw)) {
            assertThat(source.size()).isEqualTo(SIZE);
            assertThat(Integer.parseInt(source.describe().details().get("extents"))).isGreaterThanOrEqualTo(3);
            for (long at : WRITES) {
                compare(source, expected, Math.max(0, at - 70_000), (int) Math.min(400_000, SIZE - Math.max(0, at - 70_000)));
            }
            for (long seam = 1L << 31; seam < SIZE; seam += 1L << 31) {
                compare(source, expected, seam - 4096, 8192);
                compare(source, expected, seam - 65536 - 4096, 8192);
            }
            for (int i = 0; i < 200; i++) {
                long at = (long) (random.nextDouble() * (SIZE - 70_000));
                compare(source, expected, at, 1 + random.nextInt(70_000));
            }
            // Flat extents: qemu reads the files' holes as zeros, as we do, so the two maps agree exactly.
            for (ImageTests.MapEntry q : ImageTests.qemuMap(image, "vmdk")) {
                boolean data = q.data() && !q.zero();
                for (Extent e : source.extents(q.start(), q.length())) {
                    assertThat(e.kind() == Extent.Kind.DATA).as("%s against qemu's %s", e, q).isEqualTo(data);
                }
            }
        }
    }

    private static void compare(BlockSource source, FileChannel raw, long at, int length) throws Exception {
        ByteBuffer actual = ByteBuffer.allocate(length);
        source.read(at, actual);
        ByteBuffer wanted = ByteBuffer.allocate(length);
        while (wanted.hasRemaining()) {
            raw.read(wanted, at + wanted.position());
        }
        assertThat(actual.flip()).as("bytes at %d+%d", at, length).isEqualTo(wanted.flip());
    }
}
