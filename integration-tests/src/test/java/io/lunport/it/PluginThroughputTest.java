package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Reading a whole disk through the mount, as a guest or an export would: {@code qemu-img
 * convert -O raw} of the mounted VHDX against the same of the image itself. Both copies must be
 * the same bytes; the two rates are printed (not asserted: the machine is shared).
 */
class PluginThroughputTest {

    private static final long MIB = TestImages.MIB;

    @Test
    void wholeDiskThroughTheMountAndDirect() throws Exception {
        Path work = Itwork.fresh(Itwork.dir("plugin-throughput"));
        long size = 512 * MIB;
        // 3 MiB of data in every 4 MiB: mostly data, so the payload path is what is measured.
        Path raw = TestImages.striped(work.resolve("disk.raw"), size, 21, 4 * MIB, 3 * (int) MIB);
        Path image = work.resolve("disk.qcow2");
        Tools.check(Duration.ofSeconds(120), "qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(),
                image.toString());
        Files.delete(raw);
        Path direct = work.resolve("direct.raw");
        Path mounted = work.resolve("mounted.raw");

        double directRate = timedConvert("qcow2", image, direct, size);
        double mountRate;
        try (MountProcess mount = MountProcess.start(work.resolve("mnt"), work.resolve("state"), Map.of("vm", image))) {
            mountRate = timedConvert("vhdx", mount.file("vm"), mounted, size);
        }
        System.out.printf("plugin fs throughput: qemu-img convert -O raw, %d MiB: through the mount %.0f MiB/s, "
                + "the qcow2 directly %.0f MiB/s%n", size / MIB, mountRate, directRate);
        TestImages.assertSameBytes(direct, mounted);
        assertThat(mountRate).isPositive();
        Files.delete(direct);
        Files.delete(mounted);
        Files.delete(image); // 384 MiB of qcow2: not left behind in target/
    }

    private static double timedConvert(String format, Path from, Path to, long size) {
        long start = System.nanoTime();
        Tools.check(Duration.ofSeconds(300), "qemu-img", "convert", "-f", format, "-O", "raw", from.toString(), to.toString());
        double seconds = (System.nanoTime() - start) / 1e9;
        return size / (double) MIB / seconds;
    }
}
