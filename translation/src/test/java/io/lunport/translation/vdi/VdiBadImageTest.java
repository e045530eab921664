package io.lunport.translation.vdi;

import static io.lunport.translation.blockmap.QemuImages.open;
import static io.lunport.translation.blockmap.QemuImages.patch;
import static io.lunport.translation.blockmap.QemuImages.readAll;
import static io.lunport.translation.blockmap.QemuImages.run;
import static io.lunport.translation.blockmap.QemuImages.writeRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import io.lunport.translation.blockmap.Corruption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Broken VDI images give typed errors that name file, offset and field. */
class VdiBadImageTest {

    @TempDir
    static Path dir;
    static Path raw;

    @BeforeAll
    static void makeRaw() throws Exception {
        raw = writeRaw(dir.resolve("small.raw"), 6L * 1024 * 1024 + 1536, 49);
    }

    static Path convert(String name) throws Exception {
        Path image = dir.resolve(name);
        run("qemu-img", "convert", "-O", "vdi", raw.toString(), image.toString());
        return image;
    }

    @Test
    void diskSizeOf2To63() throws Exception {
        Path image = convert("huge.vdi");
        patch(image, 0x170, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1L << 63));
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("huge.vdi").hasMessageContaining("offset 368").hasMessageContaining("disk size");
    }

    @Test
    void truncatedHeader() throws Exception {
        Path image = convert("short.vdi");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            ch.truncate(0x100);
        }
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("short.vdi").hasMessageContaining("header");
    }

    @Test
    void truncatedData() throws Exception {
        Path image = convert("cut.vdi");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.WRITE)) {
            // Halfway into the second stored block (data starts at 1024 in qemu's small images).
            assertThat(ch.size()).isGreaterThan(1024 + 2 * (1 << 20));
            ch.truncate(1024 + (1 << 20) + 300_000);
        }
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOfAny(MediumException.class, ImageFormatException.class)
                    .hasMessageContaining("cut.vdi");
        }
    }

    @Test
    void blockMapEntryPastEndOfFile() throws Exception {
        Path image = convert("far.vdi");
        // Block map at 512 in qemu's images: entry 0 names block 5000.
        patch(image, 512, ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 5000));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> readAll(source, source.size())).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("far.vdi").hasMessageContaining("offset 512").hasMessageContaining("block map entry");
        }
    }

    @Test
    void seededCorruptionOfHeaderAndMap() throws Exception {
        Path image = convert("corrupt-src.vdi");
        int typed = Corruption.run(image, dir.resolve("corrupt.vdi"), 1024, 200, 50);
        assertThat(typed).isPositive();
    }
}
