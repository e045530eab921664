package io.lunport.translation.vdi;

import static io.lunport.translation.blockmap.QemuImages.assertConcurrentReads;
import static io.lunport.translation.blockmap.QemuImages.assertExtentsAgree;
import static io.lunport.translation.blockmap.QemuImages.assertSameBytes;
import static io.lunport.translation.blockmap.QemuImages.run;
import static io.lunport.translation.blockmap.QemuImages.writeRaw;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.blockmap.QemuImages;
import io.lunport.translation.SourceInfo;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Dynamic and static VDI images from qemu-img, read byte for byte against their raw file. */
class VdiReaderTest {

    /** Not a multiple of the 1 MiB block. */
    static final long SIZE = 64L * 1024 * 1024 + 3 * 65536 + 1536;

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void makeRaw() throws Exception {
        raw = writeRaw(dir.resolve("disk.raw"), SIZE, 43);
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "on"})
    void readsWhatQemuWrote(String staticImage) throws Exception {
        Path image = dir.resolve("static-" + staticImage + ".vdi");
        run("qemu-img", "convert", "-O", "vdi", "-o", "static=" + staticImage, raw.toString(), image.toString());
        try (BlockSource source = QemuImages.open(image)) {
            assertThat(source.formatName()).isEqualTo("vdi");
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("type", staticImage.equals("on") ? "static" : "dynamic");
            assertThat(info.clusterSize()).isEqualTo(1 << 20);
            assertThat(info.virtualSize()).isEqualTo(SIZE);
            assertSameBytes(source, raw);
            assertConcurrentReads(source, raw, 8, 60);
            assertExtentsAgree(source, image, raw);
        }
    }
}
