package io.lunport.pluginfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The file system machinery through a real FUSE mount, with qemu as the VHDX writer. The
 * "view" here is a VHDX that qemu-img made, served as its own bytes: the VHDX is then both
 * the image and the oracle, which isolates the mount, the overlay and the length from the
 * synthesis (tested end to end in integration-tests).
 */
class PluginFileSystemTest {

    private static final long MiB = 1 << 20;

    @TempDir
    Path tmp;
    private Path image;
    private Path mountDir;
    private Path stateDir;
    private final AtomicInteger opens = new AtomicInteger();

    /** Serves a VHDX file as itself: structures are its first 4 MiB (qemu's headers, log, BAT, metadata). */
    private final ViewFactory asItself = path -> {
        opens.incrementAndGet();
        RawBlockSource raw = RawBlockSource.open(path);
        return new ImageView(raw, Math.min(4 * MiB, raw.size()), raw.size() + 256 * MiB);
    };

    @BeforeEach
    void image() throws Exception {
        Path raw = tmp.resolve("disk.raw");
        byte[] chunk = new byte[(int) MiB];
        new Random(42).nextBytes(chunk);
        try (FileChannel out = FileChannel.open(raw, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(chunk), 0);            // data in the first block
            out.write(ByteBuffer.wrap(chunk), 70 * MiB);      // and in the third; the second stays a hole
            out.truncate(128 * MiB);
        }
        image = tmp.resolve("disk.vhdx");
        Run.check("qemu-img", "convert", "-O", "vhdx", "-o", "subformat=dynamic,block_size=33554432", raw.toString(),
                image.toString());
        mountDir = Files.createDirectory(tmp.resolve("mnt"));
        stateDir = tmp.resolve("state");
    }

    private PluginMount mount() throws IOException {
        return PluginMount.mount(mountDir, List.of(new ImageSpec("disk", image)), stateDir, asItself);
    }

    @Test
    void readsTheFileAndAnswersMetadataWithoutOpeningTheImageAgain() throws Exception {
        String before = Run.check("sha256sum", image.toString());
        long inode;
        try (PluginMount mount = mount()) {
            Path file = mountDir.resolve("disk.vhdx");
            assertThat(opens).as("one open for the snapshot").hasValue(1);
            PluginFile pf = mount.files().get(0);
            assertThat(pf.imageOpened()).isFalse();

            BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
            assertThat(attrs.size()).isEqualTo(Files.size(image));
            assertThat((Long) Files.getAttribute(file, "unix:ino")).isEqualTo(PluginFileSystem.inodeOf("disk.vhdx"));
            inode = (Long) Files.getAttribute(file, "unix:ino");
            assertThat(Files.getLastModifiedTime(file).toMillis()).isEqualTo(Files.getLastModifiedTime(image).toMillis());
            assertThat(Run.check("stat", "-c", "%b %B", file.toString()).trim())
                    .isEqualTo(((Files.size(image) + 511) / 512) + " 512");
            var xattrs = Files.getFileAttributeView(file, java.nio.file.attribute.UserDefinedFileAttributeView.class);
            assertThat(xattrs.list()).as("no user.DOSATTRIB that could carry the sparse bit").isEmpty();
            assertThatThrownBy(() -> xattrs.write("DOSATTRIB", ByteBuffer.wrap(new byte[] {0x20, 0x02})))
                    .isInstanceOf(IOException.class);
            var store = Files.getFileStore(file);
            assertThat(store.type()).isEqualTo("fuse.lunport");
            assertThat(store.getUsableSpace()).as("the state directory's free space")
                    .isPositive().isLessThanOrEqualTo(Files.getFileStore(tmp).getUsableSpace() + 4 * MiB);
            assertThat(store.getTotalSpace()).isGreaterThanOrEqualTo(Files.size(image) + store.getUsableSpace());
            try (FileChannel ch = FileChannel.open(file)) {
                ch.read(ByteBuffer.allocate((int) (2 * MiB)), 0);
            }
            assertThat(pf.imageOpened()).as("headers come from the snapshot").isFalse();

            assertThat(Files.mismatch(file, image)).isEqualTo(-1L);
            assertThat(pf.imageOpened()).isTrue();
            Run.check("qemu-img", "check", "-f", "vhdx", file.toString());
        }
        try (PluginMount mount = mount()) {
            assertThat(opens).as("the cached snapshot answers the second mount (1 snapshot + 1 payload open before)")
                    .hasValue(2);
            assertThat((Long) Files.getAttribute(mountDir.resolve("disk.vhdx"), "unix:ino")).isEqualTo(inode);
        }
        assertThat(Run.check("sha256sum", image.toString())).isEqualTo(before);
    }

    @Test
    void qemuWritesLandInTheOverlayAndSurviveARemount() throws Exception {
        String before = Run.check("sha256sum", image.toString());
        long length;
        try (PluginMount mount = mount()) {
            String file = mountDir.resolve("disk.vhdx").toString();
            // 40 MiB is in the hole (block 1): qemu appends a block, writes its log and the BAT.
            Run.check("qemu-io", "-f", "vhdx", "-c", "write -P 0xa5 40M 64k", "-c", "write -P 0x5a 100k 8k",
                    "-c", "flush", file);
            length = Files.size(mountDir.resolve("disk.vhdx"));
            assertThat(length).as("a block was appended").isGreaterThan(Files.size(image));
            Run.check("qemu-img", "check", "-f", "vhdx", file);
        }
        assertThat(Files.exists(stateDir.resolve("disk.vhdx.length"))).isTrue();
        try (PluginMount mount = mount()) {
            String file = mountDir.resolve("disk.vhdx").toString();
            assertThat(Files.size(mountDir.resolve("disk.vhdx"))).isEqualTo(length);
            Run.check("qemu-img", "check", "-f", "vhdx", file);
            String out = Run.check("qemu-io", "-f", "vhdx", "-c", "read -P 0xa5 40M 64k", "-c", "read -P 0x5a 100k 8k",
                    "-c", "read -P 0 60M 1M", file);
            assertThat(out).doesNotContain("Pattern verification failed");
            // Truncate and grow again: what was cut off reads as zeros.
            try (FileChannel ch = FileChannel.open(mountDir.resolve("disk.vhdx"), java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(MiB);
                assertThat(ch.size()).isEqualTo(MiB);
                ch.write(ByteBuffer.wrap(new byte[] {1}), 8 * MiB);
            }
            byte[] grown = Files.readAllBytes(mountDir.resolve("disk.vhdx"));
            assertThat(grown).hasSize((int) (8 * MiB + 1));
            for (int i = (int) MiB; i < 8 * MiB; i++) {
                if (grown[i] != 0) {
                    throw new AssertionError("byte " + i + " is " + grown[i] + " after truncate and growth");
                }
            }
        }
        assertThat(Run.check("sha256sum", image.toString())).isEqualTo(before);
    }
}
