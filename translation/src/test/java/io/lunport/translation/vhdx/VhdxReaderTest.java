package io.lunport.translation.vhdx;

import static io.lunport.translation.blockmap.ImageTests.assertExtentsAgree;
import static io.lunport.translation.blockmap.ImageTests.dataBytes;
import static io.lunport.translation.blockmap.ImageTests.assertSameBytes;
import static io.lunport.translation.blockmap.ImageTests.qemuMap;
import static io.lunport.translation.blockmap.ImageTests.qemuRaw;
import static io.lunport.translation.blockmap.ImageTests.run;
import static io.lunport.translation.blockmap.ImageTests.seededRaw;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.MediumException;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VhdxReaderTest {

    private static final long SIZE = 40L * 1024 * 1024 + 12345;
    private static final long MIB = 1024 * 1024;

    @TempDir
    Path dir;

    private static BlockSource open(Path image) throws IOException {
        return new ImageOpener(TranslationContext.defaults()).open(image);
    }

    private Path convert(Path raw, String name, String options) throws Exception {
        Path image = dir.resolve(name);
        run("qemu-img", "convert", "-f", "raw", "-O", "vhdx", "-o", options, raw.toString(), image.toString());
        return image;
    }

    @Test
    void qemuVariantsReadLikeTheRawFile() throws Exception {
        Path raw = seededRaw(dir.resolve("a.raw"), SIZE, 11);
        String[] variants = {"subformat=dynamic", "subformat=dynamic,block_size=1M", "subformat=dynamic,block_size=256M",
            "subformat=fixed,block_size=1M", "subformat=dynamic,block_size=2M,log_size=4M,block_state_zero=off"};
        for (int i = 0; i < variants.length; i++) {
            Path image = convert(raw, "a" + i + ".vhdx", variants[i]);
            try (BlockSource source = open(image)) {
                assertThat(source.formatName()).as(variants[i]).isEqualTo("vhdx");
                assertThat(source.size()).isEqualTo((SIZE + 511) / 512 * 512);
                assertSameBytes(source, raw);
                var map = qemuMap(image, "vhdx");
                assertExtentsAgree(source, map, raw);
                SourceInfo info = source.describe();
                assertThat(info.allocatedBytes()).as(variants[i]).isEqualTo(dataBytes(source));
                String vhdi = run("vhdiinfo", image.toString());
                assertThat(vhdi).contains("(" + source.size() + " bytes)").contains("Bytes per sector\t: 512 bytes")
                        // vhdiinfo's identifier of a VHDX is the current header's DataWriteGuid.
                        .contains("Identifier\t\t: " + info.details().get("data write guid"));
                assertThat(info.details()).containsEntry("logical sector size", "512").containsEntry("physical sector size", "512");
                assertThat(info.clusterSize()).isEqualTo(Long.parseLong(info.details().get("block size")));
            }
        }
    }

    @Test
    void blockSizeOptionIsHonoured() throws Exception {
        Path raw = seededRaw(dir.resolve("b.raw"), 5 * MIB, 12);
        try (BlockSource source = open(convert(raw, "b.vhdx", "block_size=4M"))) {
            assertThat(source.describe().clusterSize()).isEqualTo(4 * MIB);
        }
    }

    @Test
    void fourKibLogicalSectors() throws Exception {
        // qemu cannot make (or read) them: patch the item of a 1 MiB-block image. With fewer
        // than 4096 blocks the BAT layout is the same for both sector sizes.
        Path raw = seededRaw(dir.resolve("c.raw"), 20 * MIB + 8192, 13);
        Path image = convert(raw, "c.vhdx", "block_size=1M");
        VhdxPatch patch = new VhdxPatch(Files.readAllBytes(image));
        patch.le.putInt((int) patch.item(VhdxMetadata.LOGICAL_SECTOR_SIZE), 4096);
        patch.le.putInt((int) patch.item(VhdxMetadata.PHYSICAL_SECTOR_SIZE), 4096);
        Files.write(image, patch.bytes);
        try (BlockSource source = open(image)) {
            assertThat(source.describe().details()).containsEntry("logical sector size", "4096");
            assertSameBytes(source, raw);
        }
        assertThat(run("vhdiinfo", image.toString())).contains("Bytes per sector\t: 4096 bytes");
    }

    @Test
    void differencingDiskReadsThroughItsParent() throws Exception {
        long size = 12 * MIB;
        Path parentRaw = seededRaw(dir.resolve("p.raw"), size, 14);
        Path parent = convert(parentRaw, "parent.vhdx", "block_size=1M");
        Path child = dir.resolve("child.vhdx");
        run("qemu-img", "create", "-q", "-f", "vhdx", "-o", "block_size=1M", child.toString(), Long.toString(size));
        run("qemu-io", "-f", "vhdx", "-c", "write -P 0x11 0 1M", "-c", "write -P 0x22 3M 1M",
                "-c", "write -P 0x33 " + (5 * MIB + 4096) + " 8192", "-c", "write -P 0x44 9M 4096", child.toString());
        byte[] childOwn = Files.readAllBytes(qemuRaw(child, "vhdx"));
        byte[] parentBytes = Files.readAllBytes(parentRaw);

        VhdxPatch patch = new VhdxPatch(Files.readAllBytes(child));
        VhdxHeader parentHeader;
        try (BlockSource p = open(parent)) {
            parentHeader = ((VhdxBlockSource) p).header();
        }
        long params = patch.item(VhdxFileParameters.ID);
        patch.le.putInt((int) params + 4, patch.le.getInt((int) params + 4) | 2);
        patch.addItem(VhdxParentLocator.ID, 256 * 1024, VhdxPatch.parentLocator(
                "parent_linkage", parentHeader.dataWriteGuid().braced(), "relative_path", ".\\parent.vhdx",
                "absolute_win32_path", "C:\\images\\parent.vhdx"), 6);
        byte[] expected = parentBytes.clone();
        long chunkRatio = (1L << 23) * 512 / MIB;
        for (int block = 0; block < 12; block++) {
            VhdxBatEntry e = VhdxBatEntry.parse(patch.batEntry(block));
            if (e.state() == VhdxBlockState.FULLY_PRESENT) {
                System.arraycopy(childOwn, (int) (block * MIB), expected, (int) (block * MIB), (int) MIB);
            } else if (block == 10) {
                Arrays.fill(expected, (int) (block * MIB), (int) ((block + 1) * MIB), (byte) 0); // stays ZERO
            } else {
                patch.setBatEntry(block, 0); // NOT_PRESENT: the parent shows through
            }
        }
        // Block 3 becomes partially present: sectors 0-15 and 100-199 from the child.
        long bitmapBlock = patch.bytes.length;
        byte[] grown = Arrays.copyOf(patch.bytes, (int) (bitmapBlock + MIB));
        VhdxPatch p2 = new VhdxPatch(grown);
        long entry3 = p2.batEntry(3);
        p2.setBatEntry(3, (entry3 & ~7L) | 7);
        p2.setBatEntry(chunkRatio, (bitmapBlock >>> 20) << 20 | 6);
        int bitBase = (int) (bitmapBlock + 3 * (MIB / 512 / 8));
        System.arraycopy(parentBytes, (int) (3 * MIB), expected, (int) (3 * MIB), (int) MIB);
        for (int s = 0; s < 2048; s++) {
            if (s < 16 || (s >= 100 && s < 200)) {
                grown[bitBase + s / 8] |= (byte) (1 << (s % 8));
                System.arraycopy(childOwn, (int) (3 * MIB + s * 512L), expected, (int) (3 * MIB + s * 512L), 512);
            }
        }
        Files.write(child, grown);
        Path expectedFile = Files.write(dir.resolve("expected.raw"), expected);

        try (BlockSource source = open(child)) {
            assertThat(source.size()).isEqualTo(size);
            assertSameBytes(source, expectedFile);
            SourceInfo info = source.describe();
            assertThat(info.details()).containsEntry("subformat", "differencing").containsEntry("parent", "parent.vhdx");
            assertThat(info.backing().format()).isEqualTo("vhdx");
            assertThat(source.extents(3 * MIB, 16 * 512)).containsExactly(new Extent(3 * MIB, 16 * 512, Extent.Kind.DATA));
            assertThat(source.extents(10 * MIB, MIB)).containsExactly(new Extent(10 * MIB, MIB, Extent.Kind.ZERO));
        }
        String vhdi = run("vhdiinfo", child.toString());
        assertThat(vhdi).contains("Differential").contains("parent.vhdx");
    }

    @Test
    void aDifferencingDiskWhoseParentIsMissingOrItselfIsRefused() throws Exception {
        Path child = dir.resolve("orphan.vhdx");
        run("qemu-img", "create", "-q", "-f", "vhdx", "-o", "block_size=1M", child.toString(), "4M");
        byte[] plain = Files.readAllBytes(child);
        for (String parent : new String[] {"gone.vhdx", "orphan.vhdx"}) {
            VhdxPatch patch = new VhdxPatch(plain.clone());
            long params = patch.item(VhdxFileParameters.ID);
            patch.le.putInt((int) params + 4, 2);
            patch.addItem(VhdxParentLocator.ID, 256 * 1024, VhdxPatch.parentLocator("relative_path", parent), 6);
            Files.write(child, patch.bytes);
            assertThatThrownBy(() -> open(child)).isInstanceOf(ImageFormatException.class)
                    .hasMessageContaining("orphan.vhdx").hasMessageContaining(parent.equals("gone.vhdx") ? "gone.vhdx" : "loops");
        }
    }

    /**
     * A VHDX with a pending log: qemu logs each BAT update, applies it and clears the header's
     * log GUID. Undoing the last two steps (header names the newest log, BAT page zeroed) gives
     * the state a crash leaves behind.
     */
    private static VhdxPatch pendingLog(Path image) throws Exception {
        run("qemu-img", "create", "-q", "-f", "vhdx", "-o", "block_size=1M", image.toString(), "64M");
        run("qemu-io", "-f", "vhdx", "-c", "write -P 0x33 0 1M", "-c", "write -P 0x44 40M 64k", image.toString());
        VhdxPatch patch = new VhdxPatch(Files.readAllBytes(image));
        long log = 1024 * 1024;
        VhdxGuid newest = null;
        long newestSequence = 0;
        for (long at = log; at < 2 * log; at += 4096) {
            if (patch.le.getInt((int) at) == 0x65676f6c && patch.le.getLong((int) at + 16) > newestSequence) {
                newestSequence = patch.le.getLong((int) at + 16);
                newest = VhdxGuid.parse(patch.bytes, (int) at + 32);
            }
        }
        assertThat(newest).isNotNull();
        for (int header : new int[] {64 * 1024, 128 * 1024}) {
            patch.putGuid(header + 48, newest);
        }
        patch.resealHeaders();
        Arrays.fill(patch.bytes, (int) patch.region(VhdxRegionTable.BAT), (int) patch.region(VhdxRegionTable.BAT) + 4096, (byte) 0);
        Files.write(image, patch.bytes);
        return patch;
    }

    @Test
    void corruptedLogsGiveTypedErrorsOrData() throws Exception {
        Path image = dir.resolve("badlog.vhdx");
        byte[] good = pendingLog(image).bytes;
        Random random = new Random(18);
        for (int round = 0; round < 150; round++) {
            byte[] bad = good.clone();
            for (int k = 0; k < 1 + random.nextInt(3); k++) {
                bad[1024 * 1024 + random.nextInt(4 * 4096)] = (byte) random.nextInt(256);
            }
            if (random.nextBoolean()) {
                // Reseal the two 8 KiB entries qemu wrote, so corrupt fields get past the CRC.
                VhdxPatch sealed = new VhdxPatch(bad);
                for (int at : new int[] {1024 * 1024, 1024 * 1024 + 8192}) {
                    sealed.le.putInt(at + 4, VhdxChecksum.compute(bad, at, 8192, at + 4));
                }
            }
            Files.write(image, bad);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readAllOrTypedError(image));
        }
    }

    @Test
    void aPendingLogIsReplayedInMemoryAndTheFileIsNeverWritten() throws Exception {
        Path image = dir.resolve("log.vhdx");
        VhdxPatch patch = pendingLog(image);
        Path replayed = Files.copy(image, dir.resolve("replayed.vhdx"));
        run("qemu-img", "check", "-q", "-r", "all", replayed.toString());
        Path expected = qemuRaw(replayed, "vhdx");
        assertThat(Files.readAllBytes(expected)).contains((byte) 0x44);
        try (BlockSource source = open(image)) {
            assertSameBytes(source, expected);
            assertThat(source.describe().details()).containsEntry("log", "replayed in memory");
        }
        assertThat(Files.readAllBytes(image)).isEqualTo(patch.bytes);

        for (int header : new int[] {64 * 1024, 128 * 1024}) {
            patch.putGuid(header + 48, VhdxGuid.of("01234567-89ab-cdef-0123-456789abcdef"));
        }
        patch.resealHeaders();
        Files.write(image, patch.bytes);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("log.vhdx").hasMessageContaining("log: ").hasMessageContaining("no valid sequence");
    }

    @Test
    void badFieldsAreNamed() throws Exception {
        Path raw = seededRaw(dir.resolve("e.raw"), 8 * MIB, 15);
        Path image = convert(raw, "e.vhdx", "block_size=1M");
        byte[] good = Files.readAllBytes(image);

        VhdxPatch huge = new VhdxPatch(good.clone());
        huge.le.putLong((int) huge.item(VhdxMetadata.VIRTUAL_DISK_SIZE), Long.MIN_VALUE);
        Files.write(image, huge.bytes);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("e.vhdx").hasMessageContaining("virtual disk size");

        byte[] headers = good.clone();
        headers[64 * 1024 + 100] ^= 1;
        headers[128 * 1024 + 100] ^= 1;
        Files.write(image, headers);
        assertThatThrownBy(() -> open(image)).isInstanceOf(ImageFormatException.class)
                .hasMessageContaining("offset 65540").hasMessageContaining("header checksum");

        VhdxPatch past = new VhdxPatch(good.clone());
        past.setBatEntry(2, (1L << 40) << 20 | 6);
        Files.write(image, past.bytes);
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> source.read(2 * MIB, ByteBuffer.allocate(4096)))
                    .isInstanceOf(ImageFormatException.class).hasMessageContaining("BAT entry 2");
        }

        Files.write(image, Arrays.copyOf(good, good.length - 3 * (int) MIB));
        try (BlockSource source = open(image)) {
            assertThatThrownBy(() -> {
                for (long pos = 0; pos < source.size(); pos += MIB) {
                    source.read(pos, ByteBuffer.allocate((int) MIB));
                }
            }).isInstanceOf(ImageFormatException.class).hasMessageContaining("past the end of the file");
        } catch (ImageFormatException e) {
            assertThat(e.getMessage()).contains("e.vhdx");
        }
    }

    @Test
    void corruptedStructuresGiveTypedErrorsOrData() throws Exception {
        Path raw = seededRaw(dir.resolve("f.raw"), 6 * MIB + 512, 16);
        Path image = convert(raw, "f.vhdx", "block_size=1M");
        byte[] good = Files.readAllBytes(image);
        VhdxPatch layout = new VhdxPatch(good.clone());
        long bat = layout.region(VhdxRegionTable.BAT);
        long meta = layout.region(VhdxRegionTable.METADATA);
        Random random = new Random(17);
        for (int round = 0; round < 300; round++) {
            VhdxPatch bad = new VhdxPatch(good.clone());
            for (int k = 0; k < 1 + random.nextInt(4); k++) {
                int at = switch (random.nextInt(4)) {
                    case 0 -> 64 * 1024 + random.nextInt(128);
                    case 1 -> 192 * 1024 + random.nextInt(128);
                    case 2 -> (int) bat + random.nextInt(128);
                    default -> (int) meta + (random.nextBoolean() ? random.nextInt(256) : 65536 + random.nextInt(64));
                };
                bad.bytes[at] = (byte) random.nextInt(256);
            }
            if (random.nextBoolean()) {
                bad.resealHeaders();
                bad.le.putInt(192 * 1024 + 4, VhdxChecksum.compute(bad.bytes, 192 * 1024, 65536, 192 * 1024 + 4));
            }
            Files.write(image, bad.bytes);
            assertTimeoutPreemptively(Duration.ofSeconds(10), () -> readAllOrTypedError(image));
        }
    }

    static void readAllOrTypedError(Path image) {
        try (BlockSource source = open(image)) {
            ByteBuffer buf = ByteBuffer.allocate(1 << 20);
            for (long pos = 0; pos < source.size(); pos += buf.capacity()) {
                buf.clear().limit((int) Math.min(buf.capacity(), source.size() - pos));
                source.read(pos, buf);
            }
            source.extents(0, source.size());
            source.describe();
        } catch (ImageFormatException | MediumException e) {
            assertThat(e.getMessage()).isNotBlank();
        } catch (IOException e) {
            throw new AssertionError("untyped I/O error " + e, e);
        }
    }

    @Test
    void aThreeTebibyteSparseDiskOpensFastAndReadsRight() throws Exception {
        Path image = dir.resolve("big.vhdx");
        run("qemu-img", "create", "-q", "-f", "vhdx", image.toString(), "3T");
        long end = 3L << 40;
        run("qemu-io", "-f", "vhdx", "-c", "write -P 0x5a " + (end - MIB) + " 65536", image.toString());
        long t0 = System.nanoTime();
        try (BlockSource source = open(image)) {
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(1));
            assertThat(source.size()).isEqualTo(end);
            ByteBuffer buf = ByteBuffer.allocate(131072);
            source.read(end - MIB - 65536, buf);
            for (int i = 0; i < 131072; i++) {
                assertThat(buf.get(i)).isEqualTo(i < 65536 ? (byte) 0 : (byte) 0x5a);
            }
            assertThat(source.extents(0, end).stream().filter(e -> e.kind() == Extent.Kind.DATA).count()).isEqualTo(1);
        }
    }
}
