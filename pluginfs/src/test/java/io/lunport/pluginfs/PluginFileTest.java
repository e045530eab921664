package io.lunport.pluginfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.RawBlockSource;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A file's state without FUSE: the length record, the snapshot cache, limits and damage. */
class PluginFileTest {

    private static final int KiB = 1024;

    @TempDir
    Path tmp;
    private Path image;
    private Path state;
    private byte[] content;

    /** The "view" of a file is its own bytes; the first 8 KiB are the structures; it may grow by 64 KiB. */
    private final ViewFactory factory = path -> {
        RawBlockSource raw = RawBlockSource.open(path);
        return new ImageView(raw, 8 * KiB, raw.size() + 64 * KiB);
    };

    @BeforeEach
    void image() throws Exception {
        content = new byte[32 * KiB];
        new Random(7).nextBytes(content);
        image = Files.write(tmp.resolve("image.bin"), content);
        state = tmp.resolve("state");
    }

    @Test
    void growsWithinTheLimitRefusesBeyondAndKeepsTheLengthAcrossOpens() throws Exception {
        try (PluginFile file = PluginFile.open("d", image, state, factory)) {
            assertThat(file.length()).isEqualTo(32 * KiB);
            assertThat(file.maxLength()).isEqualTo(96 * KiB);
            file.write(40 * KiB, ByteBuffer.wrap(new byte[] {9}));
            assertThat(file.length()).isEqualTo(40 * KiB + 1);
            assertThatThrownBy(() -> file.write(96 * KiB - 1, ByteBuffer.wrap(new byte[2])))
                    .isInstanceOf(FileTooLargeException.class).hasMessageContaining("d.vhdx");
            assertThatThrownBy(() -> file.truncate(96 * KiB + 1)).isInstanceOf(FileTooLargeException.class);
            file.flush();
        }
        try (PluginFile file = PluginFile.open("d", image, state, factory)) {
            assertThat(file.length()).isEqualTo(40 * KiB + 1);
            ByteBuffer all = ByteBuffer.allocate(64 * KiB);
            assertThat(file.read(0, all)).isEqualTo(40 * KiB + 1);
            assertThat(all.array()[40 * KiB]).isEqualTo((byte) 9);
            assertThat(java.util.Arrays.copyOf(all.array(), 32 * KiB)).isEqualTo(content);
        }
        assertThat(Files.readAllBytes(image)).isEqualTo(content);
    }

    @Test
    void aDamagedLengthRecordIsAnErrorNamingFileAndOffset() throws Exception {
        try (PluginFile file = PluginFile.open("d", image, state, factory)) {
            file.write(32 * KiB, ByteBuffer.wrap(new byte[] {1}));
            file.flush();
        }
        Path record = state.resolve("d.vhdx.length");
        byte[] bytes = Files.readAllBytes(record);
        bytes[17] ^= 1;
        Files.write(record, bytes);
        assertThatThrownBy(() -> PluginFile.open("d", image, state, factory))
                .isInstanceOf(StateFiles.StateFileException.class)
                .hasMessageContaining(record.toString()).hasMessageContaining("CRC32C at offset 32");
    }

    @Test
    void aDamagedSnapshotIsTakenAgainAndAChangedImageIsRefusedByItsOverlay() throws Exception {
        int[] opens = {0};
        ViewFactory counting = path -> {
            opens[0]++;
            return factory.open(path);
        };
        try (PluginFile file = PluginFile.open("d", image, state, counting)) {
            assertThat(opens[0]).isEqualTo(1);
        }
        Path meta = state.resolve("d.vhdx.meta");
        byte[] bytes = Files.readAllBytes(meta);
        bytes[60] ^= 1;
        Files.write(meta, bytes);
        try (PluginFile file = PluginFile.open("d", image, state, counting)) {
            assertThat(opens[0]).as("the damaged cache is not believed").isEqualTo(2);
        }
        try (PluginFile file = PluginFile.open("d", image, state, counting)) {
            assertThat(opens[0]).as("the rewritten cache answers").isEqualTo(2);
        }
        Files.setLastModifiedTime(image, java.nio.file.attribute.FileTime.fromMillis(1_000_000));
        assertThatThrownBy(() -> PluginFile.open("d", image, state, counting))
                .isInstanceOf(io.lunport.overlay.OverlayException.class)
                .hasMessageContaining("before it changed").hasMessageContaining("move the overlay away");
        assertThat(opens[0]).as("a changed image is looked at again").isEqualTo(3);
    }
}
