package io.lunport.translation.blockmap;

import static io.lunport.translation.blockmap.QemuImages.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** 3 TiB sparse qcow2, VMDK and VDI images open without reading their tables and read right near the end. */
class LargeImageTest {

    static final long SIZE = 3L << 40;
    static final long AT = SIZE - (1 << 20);

    @TempDir
    static Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"qcow2", "vmdk", "vdi"})
    void threeTebibytes(String format) throws Exception {
        Path image = dir.resolve("big." + format);
        run("qemu-img", "create", "-f", format, image.toString(), "3T");
        run("qemu-io", "-f", format, "-c", "write -P 0x5a " + AT + " 65536", image.toString());
        long started = System.nanoTime();
        try (BlockSource source = QemuImages.open(image)) {
            long openMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(openMillis).as("open time").isLessThan(1000);
            assertThat(source.size()).isEqualTo(SIZE);
            ByteBuffer dst = ByteBuffer.allocate(3 * 65536);
            source.read(AT - 65536, dst);
            for (int i = 0; i < dst.capacity(); i++) {
                assertThat(dst.get(i)).as("byte %d", i).isEqualTo(i >= 65536 && i < 131072 ? (byte) 0x5a : 0);
            }
            List<Extent> extents = source.extents(0, SIZE);
            assertThat(extents).filteredOn(e -> e.kind() == Extent.Kind.DATA)
                    .allMatch(e -> e.offset() <= AT && e.end() >= AT + 65536 && e.length() <= (1 << 20));
            assertThat(extents.stream().filter(e -> e.kind() == Extent.Kind.DATA).count()).isEqualTo(1);
        }
    }
}
