package io.lunport.translation.vhdx.stub;

import static io.lunport.translation.blockmap.ImageTests.run;
import static io.lunport.translation.vhdx.synth.VhdxOracles.sparseRaw;
import static io.lunport.translation.blockmap.QemuImages.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import io.lunport.translation.blockmap.QemuImages;
import io.lunport.translation.vhdx.Le;
import io.lunport.translation.vhdx.VhdxGuid;
import io.lunport.translation.vhdx.VhdxHeader;
import io.lunport.translation.vhdx.VhdxRegionTable;
import io.lunport.translation.vhdx.synth.VhdxFileLayout;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged stubs: every failure is an {@link ImageFormatException} naming the stub, an offset
 * and a field, never another exception, a hang or a silent open of something else.
 */
class StubBadInputTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;
    private Path stub;
    private Path image;
    private long pointerOffset;

    @BeforeEach
    void stub() throws Exception {
        Path raw = sparseRaw(dir.resolve("bad.raw"), 12 * MIB, 5, 0, MIB, 7 * MIB, 3 * MIB);
        image = dir.resolve("bad.qcow2");
        run("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), image.toString());
        stub = dir.resolve("bad.vhdx");
        StubWriter.Result result;
        try (BlockSource source = open(image)) {
            result = StubWriter.write(source, image, stub, VhdxLayoutOptions.defaults(512), false);
        }
        pointerOffset = VhdxFileLayout.METADATA_OFFSET + 64 * 1024 + 40;
        byte[] item = read(pointerOffset, result.pointer().encode().length);
        assertThat(StubPointer.parse(item, stub, pointerOffset).fingerprint()).isEqualTo(result.pointer().fingerprint());
    }

    private byte[] read(long at, int length) throws IOException {
        byte[] b = new byte[length];
        try (var ch = java.nio.channels.FileChannel.open(stub)) {
            ch.read(ByteBuffer.wrap(b), at);
        }
        return b;
    }

    private void patch(long at, byte[] bytes) throws IOException {
        QemuImages.patch(stub, at, ByteBuffer.wrap(bytes));
    }

    @Test
    void damagedHeadersAreNamed() throws Exception {
        patch(VhdxHeader.HEADER1_OFFSET + 20, new byte[] {1});
        patch(VhdxHeader.HEADER2_OFFSET + 20, new byte[] {1});
        assertThatThrownBy(() -> open(stub)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(stub.toString()).hasMessageContaining("header checksum");
    }

    @Test
    void unknownRequiredMetadataItemIsRefused() throws Exception {
        // A sixth system entry with a GUID nobody knows, flagged IsRequired.
        long table = VhdxFileLayout.METADATA_OFFSET;
        byte[] head = read(table, 32 + 7 * 32);
        int count = Le.u16(head, 10);
        byte[] entry = new byte[32];
        VhdxGuid.of("0BADC0DE-0000-4000-8000-000000000001").write(entry, 0);
        Le.put32(entry, 16, 64 * 1024);
        Le.put32(entry, 20, 8);
        Le.put32(entry, 24, 4);
        patch(table + 32 + count * 32L, entry);
        byte[] newCount = new byte[2];
        Le.put16(newCount, 0, count + 1);
        patch(table + 10, newCount);
        assertThatThrownBy(() -> open(stub)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(stub.toString()).hasMessageContaining("offset " + table)
                .hasMessageContaining("0badc0de-0000-4000-8000-000000000001").hasMessageContaining("required but unknown");
    }

    @Test
    void damagedPointerIsNamed() throws Exception {
        patch(pointerOffset + 8, new byte[] {9});
        assertThatThrownBy(() -> open(stub)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining(stub.toString()).hasMessageContaining("offset " + (pointerOffset + 8))
                .hasMessageContaining("source pointer version");
        patch(pointerOffset + 8, new byte[] {1});
        patch(pointerOffset + 58, new byte[] {(byte) 0xff, (byte) 0xff});
        assertThatThrownBy(() -> open(stub)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("offset " + (pointerOffset + 56)).hasMessageContaining("source pointer path lengths");
    }

    @Test
    void pointerSizeThatDisagreesWithTheDiskIsRefused() throws Exception {
        byte[] size = new byte[8];
        Le.put64(size, 0, 13 * MIB);
        patch(pointerOffset + 16, size);
        assertThatThrownBy(() -> open(stub)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("source pointer virtual size");
    }

    /**
     * Seeded byte flips in the structures (headers, region tables, metadata table, items and
     * the pointer, the BAT): each copy opens and reads, or fails with a typed error naming it.
     */
    @Test
    void seededCorruptionOfStructuresGivesTypedErrors() throws Exception {
        long[][] areas = {
            {VhdxHeader.HEADER1_OFFSET, 80}, {VhdxHeader.HEADER2_OFFSET, 80},
            {VhdxRegionTable.TABLE1_OFFSET, 80}, {VhdxRegionTable.TABLE2_OFFSET, 80},
            {VhdxFileLayout.METADATA_OFFSET, 32 + 6 * 32}, {VhdxFileLayout.METADATA_OFFSET + 64 * 1024, 40 + 200},
            {VhdxFileLayout.BAT_OFFSET, 64}};
        Path original = dir.resolve("original.vhdx");
        Files.copy(stub, original);
        Random random = new Random(1234);
        int typed = 0;
        int rounds = 150;
        for (int round = 0; round < rounds; round++) {
            Files.copy(original, stub, StandardCopyOption.REPLACE_EXISTING);
            int flips = 1 + random.nextInt(4);
            for (int i = 0; i < flips; i++) {
                long[] area = areas[random.nextInt(areas.length)];
                patch(area[0] + random.nextInt((int) area[1]), new byte[] {(byte) random.nextInt(256)});
            }
            int r = round;
            typed += assertTimeoutPreemptively(Duration.ofSeconds(20), () -> openAndRead(r)) ? 1 : 0;
        }
        System.out.println("stub corruption: " + typed + " of " + rounds + " rounds ended in a typed error");
        assertThat(typed).isGreaterThan(rounds / 3);
    }

    private boolean openAndRead(int round) throws IOException {
        try (BlockSource source = open(stub)) {
            long size = source.size();
            QemuImages.readAll(source, Math.min(size, 256 * MIB));
            source.extents(0, Math.min(size, 256 * MIB));
            source.describe();
            return false;
        } catch (ImageFormatException | MediumException e) {
            assertThat(e.getMessage()).as("round %d", round).contains(stub.getFileName().toString());
            return true;
        }
    }
}
