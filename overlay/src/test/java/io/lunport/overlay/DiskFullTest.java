package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.lunport.device.NoSpaceException;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The overlay on a real, tiny file system (a 4 MiB tmpfs; needs root and mount, skipped
 * otherwise): writes fail with NoSpaceException once it is full, what was written before
 * stays readable, the overlay reopens cleanly, and writing works again once space is freed.
 */
class DiskFullTest {

    @TempDir
    Path dir;

    private Path mountPoint;

    private static boolean run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    @AfterEach
    void unmount() throws Exception {
        if (mountPoint != null) {
            run("umount", mountPoint.toString());
        }
    }

    @Test
    void aFullFileSystemFailsTheWriteKeepsTheOverlayConsistentAndRecovers() throws Exception {
        Path small = Files.createDirectory(dir.resolve("small"));
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", small.toString()), "cannot mount a tmpfs here");
        mountPoint = small;
        Path filler = small.resolve("filler");
        Files.write(filler, new byte[1 << 20]);

        byte[] image = Images.randomBytes(9, 16 << 20);
        Path imagePath = Images.rawImage(dir, "disk.raw", image);
        Path overlayPath = small.resolve("disk.overlay");
        byte[] model = image.clone();
        long failedAt;
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            byte[] chunk = Images.randomBytes(10, 64 << 10);
            long offset = 0;
            try {
                while (true) {
                    device.write(offset, ByteBuffer.wrap(chunk), false);
                    System.arraycopy(chunk, 0, model, (int) offset, chunk.length);
                    offset += chunk.length;
                    if (offset % (512 << 10) == 0) {
                        device.flush();
                    }
                }
            } catch (NoSpaceException e) {
                failedAt = offset;
                assertThat(e.getMessage()).contains("no space");
                assertThat(e.virtualOffset()).isBetween(offset, offset + chunk.length);
            }
            assertThat(failedAt).isGreaterThan(1 << 20).isLessThan(4 << 20);
            // the failed write is not there: its grains still read the image
            same(read(device, failedAt, 64 << 10), Arrays.copyOfRange(model, (int) failedAt, (int) failedAt + (64 << 10)));
            same(read(device, 0, (int) failedAt), Arrays.copyOfRange(model, 0, (int) failedAt));
            // a flush may fail too while the file system is full; it reports no space, not a generic error
            try {
                device.flush();
            } catch (NoSpaceException e) {
                assertThat(e).isInstanceOf(NoSpaceException.class);
            }
            Files.delete(filler);
            device.write(failedAt, ByteBuffer.wrap(chunk), true);
            System.arraycopy(chunk, 0, model, (int) failedAt, chunk.length);
            device.flush();
        }
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath)) {
            same(read(device, 0, image.length), model);
        }
        assertThatThrownBy(() -> { throw new NoSpaceException(0, "x", new IOException("No space left on device")); })
                .isInstanceOf(IOException.class);
    }

    private static byte[] read(OverlayBlockDevice device, long offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        device.read(offset, dst);
        return dst.array();
    }

    private static void same(byte[] actual, byte[] expected) {
        OverlayBlockDeviceTest.same(actual, expected);
    }
}
