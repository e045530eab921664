package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.RawBlockSource;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayFilesTest {

    @TempDir
    Path dir;

    @Test
    void infoCountsGrainsAndResetDiscardsWritesButNotWhileAttached() throws Exception {
        byte[] image = Images.randomBytes(3, 1 << 20);
        Path imagePath = Images.rawImage(dir, "disk.raw", image);
        Path overlayPath = dir.resolve("disk.overlay");
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            device.write(0, ByteBuffer.wrap(new byte[3 * 4096 + 1]), false);
            device.deallocate(65536, 2 * 4096);
            device.flush();
            OverlayFiles.Info attached = OverlayFiles.info(overlayPath);
            assertThat(attached.inUse()).isTrue();
            assertThatThrownBy(() -> OverlayFiles.reset(overlayPath)).isInstanceOf(OverlayException.class)
                    .hasMessageContaining("being served");
        }
        OverlayFiles.Info info = OverlayFiles.info(overlayPath);
        assertThat(info.basePath()).isEqualTo(imagePath.toAbsolutePath().toString());
        assertThat(info.baseFormat()).isEqualTo("raw");
        assertThat(info.grainSize()).isEqualTo(4096);
        assertThat(info.grainsPresent()).isEqualTo(4);
        assertThat(info.grainsZero()).isEqualTo(2);
        assertThat(info.bytesUsed()).isEqualTo(4 * 4096);
        assertThat(info.inUse()).isFalse();

        OverlayFiles.reset(overlayPath);
        assertThat(OverlayFiles.info(overlayPath).grainsPresent()).isZero();
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            ByteBuffer all = ByteBuffer.allocate(image.length);
            device.read(0, all);
            OverlayBlockDeviceTest.same(all.array(), image);
        }
    }
}
