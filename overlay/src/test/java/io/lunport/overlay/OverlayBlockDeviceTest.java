package io.lunport.overlay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OverlayBlockDeviceTest {

    /** Not a multiple of the grain: the last grain is partial. */
    private static final int SIZE = (4 << 20) + 3 * 512;

    @TempDir
    Path dir;

    private byte[] image;
    private Path imagePath;
    private Path overlayPath;

    private OverlayBlockDevice open() throws IOException {
        if (imagePath == null) {
            image = Images.randomBytes(42, SIZE);
            imagePath = Images.rawImage(dir, "disk.raw", image);
            overlayPath = dir.resolve("state/disk.overlay");
        }
        BlockSource source = RawBlockSource.open(imagePath);
        try {
            return OverlayBlockDevice.open(source, overlayPath);
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    private static byte[] read(OverlayBlockDevice device, long offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        device.read(offset, dst);
        assertThat(dst.hasRemaining()).isFalse();
        return dst.array();
    }

    private static void write(OverlayBlockDevice device, long offset, byte[] data, boolean fua) throws IOException {
        device.write(offset, ByteBuffer.wrap(data), fua);
    }

    @Test
    void readsTheImageUntilWrittenAndNeverChangesIt() throws Exception {
        byte[] before;
        try (OverlayBlockDevice device = open()) {
            before = sha(imagePath);
            same(read(device, 0, SIZE), image);
            write(device, 4096, new byte[8192], false);
            write(device, SIZE - 512, new byte[512], true);
            device.flush();
        }
        assertThat(sha(imagePath)).isEqualTo(before);
        assertThat(Files.readAllBytes(imagePath)).isEqualTo(image);
    }

    @Test
    void readYourWritesAtRandomOffsetsAndSizesMatchTheModelAcrossRestarts() throws Exception {
        Random random = new Random(7);
        byte[] model;
        try (OverlayBlockDevice device = open()) {
            model = image.clone();
            for (int i = 0; i < 600; i++) {
                int length = 1 + random.nextInt(random.nextBoolean() ? 700 : 40_000);
                int offset = random.nextInt(SIZE - length + 1);
                int op = random.nextInt(10);
                if (op < 7) {
                    byte[] data = new byte[length];
                    random.nextBytes(data);
                    write(device, offset, data, random.nextInt(8) == 0);
                    System.arraycopy(data, 0, model, offset, length);
                } else if (op < 8) {
                    device.deallocate(offset, length);
                    Arrays.fill(model, offset, offset + length, (byte) 0);
                } else {
                    same(read(device, offset, length), Arrays.copyOfRange(model, offset, offset + length));
                }
                if (i % 97 == 0) {
                    device.flush();
                }
            }
            same(read(device, 0, SIZE), model);
        }
        try (OverlayBlockDevice device = open()) {
            same(read(device, 0, SIZE), model);
        }
        assertThat(Files.readAllBytes(imagePath)).isEqualTo(image);
    }

    @Test
    void aPartialGrainWriteCopiesTheRestOfTheGrainFromTheImage() throws Exception {
        try (OverlayBlockDevice device = open()) {
            byte[] data = new byte[100];
            Arrays.fill(data, (byte) 0x5A);
            write(device, 3 * 4096 + 1000, data, false);
            assertThat(device.grainsPresent()).isEqualTo(1);
            byte[] expected = Arrays.copyOfRange(image, 3 * 4096, 4 * 4096);
            System.arraycopy(data, 0, expected, 1000, 100);
            same(read(device, 3 * 4096, 4096), expected);
            // the grain is whole in the overlay file: the copied part is really there
            try (FileChannel raw = FileChannel.open(overlayPath, StandardOpenOption.READ)) {
                ByteBuffer stored = ByteBuffer.allocate(4096);
                raw.read(stored, OverlayHeader.DATA_OFFSET + 3 * 4096);
                assertThat(stored.array()).isEqualTo(expected);
            }
            // a write across grain boundaries: partial head, whole middle, partial tail
            byte[] wide = Images.randomBytes(3, 3 * 4096);
            write(device, 10 * 4096 + 7, wide, false);
            byte[] region = Arrays.copyOfRange(image, 10 * 4096, 14 * 4096);
            System.arraycopy(wide, 0, region, 7, wide.length);
            same(read(device, 10 * 4096, 4 * 4096), region);
            // the last, partial grain
            write(device, SIZE - 700, new byte[200], false);
            byte[] tail = Arrays.copyOfRange(image, SIZE - 1536, SIZE);
            Arrays.fill(tail, 1536 - 700, 1536 - 500, (byte) 0);
            same(read(device, SIZE - 1536, 1536), tail);
        }
    }

    @Test
    void deallocatedGrainsReadZerosAndNeverShowTheImageAgain() throws Exception {
        try (OverlayBlockDevice device = open()) {
            assertThat(device.supportsDeallocate()).isTrue();
            device.deallocate(8192, 3 * 4096);          // whole grains 2..4
            device.deallocate(40_000, 1000);            // inside one grain
            same(read(device, 8192, 3 * 4096), new byte[3 * 4096]);
            same(read(device, 40_000, 1000), new byte[1000]);
            same(read(device, 40_000 - 16, 16), Arrays.copyOfRange(image, 40_000 - 16, 40_000));
            // a partial write into a ZERO grain keeps the rest of it zero, not the image
            write(device, 8192 + 100, new byte[] {1, 2, 3}, false);
            byte[] expected = new byte[4096];
            expected[100] = 1;
            expected[101] = 2;
            expected[102] = 3;
            same(read(device, 8192, 4096), expected);
            List<Extent> extents = device.extents(0, 5 * 4096);
            assertThat(extents).containsExactly(
                    new Extent(0, 12288, Extent.Kind.DATA),      // image (raw reports DATA), then written after zeroing
                    new Extent(12288, 8192, Extent.Kind.ZERO));
        }
        // durable without an explicit flush, and after a restart
        try (OverlayBlockDevice device = open()) {
            same(read(device, 12288, 8192), new byte[8192]);
            same(read(device, 40_000, 1000), new byte[1000]);
            assertThat(device.grainsZero()).isEqualTo(2);
        }
    }

    @Test
    void anOverlayIsRefusedOnAChangedImageAndOnAnotherImage() throws Exception {
        try (OverlayBlockDevice device = open()) {
            write(device, 0, new byte[512], true);
        }
        // Same file, rewritten: size and mtime differ.
        Files.setLastModifiedTime(imagePath, FileTime.fromMillis(Files.getLastModifiedTime(imagePath).toMillis() + 5000));
        assertThatThrownBy(this::open).isInstanceOf(OverlayException.class)
                .hasMessageContaining(imagePath.toAbsolutePath().toString())
                .hasMessageContaining("before it changed");
        // Another image of the same size.
        Path other = Images.rawImage(dir, "other.raw", Images.randomBytes(1, SIZE));
        try (RawBlockSource source = RawBlockSource.open(other)) {
            assertThatThrownBy(() -> OverlayBlockDevice.open(source, overlayPath))
                    .isInstanceOf(OverlayException.class)
                    .hasMessageContaining(other.toAbsolutePath().toString())
                    .hasMessageContaining(imagePath.toAbsolutePath().toString())
                    .hasMessageContaining("another image");
        }
        // Not an overlay at all.
        try (RawBlockSource source = RawBlockSource.open(other)) {
            assertThatThrownBy(() -> OverlayBlockDevice.open(source, other)).isInstanceOf(OverlayException.class)
                    .hasMessageContaining("not a lunport overlay");
        }
    }

    @Test
    void aSecondAttachIsRefusedWhileTheFirstHoldsTheOverlay() throws Exception {
        try (OverlayBlockDevice device = open()) {
            try (RawBlockSource source = RawBlockSource.open(imagePath)) {
                assertThatThrownBy(() -> OverlayBlockDevice.open(source, overlayPath))
                        .isInstanceOf(OverlayException.class).hasMessageContaining("in use");
            }
        }
        open().close();
    }

    @Test
    void aTornOrLostNewestMapCopyFallsBackToTheLastGoodState() throws Exception {
        byte[] first = Images.randomBytes(11, 4096);
        byte[] second = Images.randomBytes(12, 4096);
        try (OverlayBlockDevice device = open()) {
            write(device, 0, first, false);
            device.flush();                      // page 0 -> slot 0, seq 1
            write(device, 65536, second, false);
            device.flush();                      // page 0 -> slot 1, seq 2
        }
        OverlayHeader header;
        try (FileChannel channel = FileChannel.open(overlayPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            header = OverlayBlockDevice.readHeader(channel, overlayPath);
            ByteBuffer slot1 = ByteBuffer.allocate(GrainMap.PAGE_SIZE);
            channel.read(slot1, header.slotOffset(0, 1));
            assertThat(GrainMap.validSeq(0, slot1.flip())).isEqualTo(2);
            // tear it: the page's payload never reached the disk
            channel.write(ByteBuffer.allocate(GrainMap.PAGE_SIZE - GrainMap.PAGE_HEADER),
                    header.slotOffset(0, 1) + GrainMap.PAGE_HEADER);
        }
        try (OverlayBlockDevice device = open()) {
            same(read(device, 0, 4096), first);
            same(read(device, 65536, 4096), Arrays.copyOfRange(image, 65536, 69632));
            // and the device goes on from there: the next flush writes the torn slot again
            write(device, 65536, second, false);
            device.flush();
        }
        try (OverlayBlockDevice device = open()) {
            same(read(device, 65536, 4096), second);
        }
        // A lost page: the file ends in the middle of the map's newest copy.
        try (OverlayBlockDevice device = open()) {
            write(device, 131072, first, false);
            device.flush();                      // slot 0
            write(device, 196608, first, false);
            device.flush();                      // slot 1
        }
        try (FileChannel channel = FileChannel.open(overlayPath, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer slot0 = ByteBuffer.allocate(GrainMap.PAGE_SIZE);
            ByteBuffer slot1 = ByteBuffer.allocate(GrainMap.PAGE_SIZE);
            channel.read(slot0, header.slotOffset(0, 0));
            channel.read(slot1, header.slotOffset(0, 1));
            long seq0 = GrainMap.validSeq(0, slot0.flip());
            long seq1 = GrainMap.validSeq(0, slot1.flip());
            assertThat(seq1).isGreaterThan(seq0);   // the newest copy is the last one in the file
            // the file ends after the page's header: its payload was lost
            channel.truncate(header.slotOffset(0, 1) + GrainMap.PAGE_HEADER);
        }
        try (OverlayBlockDevice device = open()) {
            same(read(device, 196608, 4096), Arrays.copyOfRange(image, 196608, 200704));
            same(read(device, 131072, 4096), first);
            same(read(device, 65536, 4096), second);
        }
    }

    @Test
    void grainSizeIsASettingKeptByTheFile() throws Exception {
        image = Images.randomBytes(5, 1 << 20);
        imagePath = Images.rawImage(dir, "small.raw", image);
        overlayPath = dir.resolve("small.overlay");
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath, 65536)) {
            write(device, 70_000, new byte[10], false);
            assertThat(device.grainSize()).isEqualTo(65536);
            assertThat(device.extents(65536, 65536)).containsExactly(new Extent(65536, 65536, Extent.Kind.DATA));
        }
        try (OverlayBlockDevice device = OverlayBlockDevice.open(RawBlockSource.open(imagePath), overlayPath, 4096)) {
            assertThat(device.grainSize()).isEqualTo(65536);
            byte[] expected = Arrays.copyOfRange(image, 65536, 131072);
            Arrays.fill(expected, 70_000 - 65536, 70_010 - 65536, (byte) 0);
            same(read(device, 65536, 65536), expected);
        }
    }

    /** Byte arrays compared by first difference: a failure names the offset, not a megabyte of numbers. */
    static void same(byte[] actual, byte[] expected) {
        assertThat(actual.length).isEqualTo(expected.length);
        assertThat(Arrays.mismatch(actual, expected)).as("first differing byte").isEqualTo(-1);
    }

    static byte[] sha(Path file) throws Exception {
        return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
    }
}
