package io.lunport.translation.vhdx.stub;

import io.lunport.translation.BackingChain;
import io.lunport.translation.BlockSource;
import io.lunport.translation.FileProbe;
import io.lunport.translation.ImageFormat;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.vhdx.VhdxBlockSource;
import io.lunport.translation.vhdx.VhdxFormat;
import io.lunport.translation.vhdx.VhdxMetadataTable;
import io.lunport.translation.vhdx.VhdxRegionTable;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Optional;

/**
 * Recognizes a lunport stub (a VHDX whose metadata table lists lunport's user item
 * {@link StubPointer#ID}) and opens the image it points at. Detection runs before the plain
 * VHDX reader's.
 *
 * <p>Opening checks the stub as a VHDX (headers, region tables, required metadata: the VHDX
 * reader's checks), parses the pointer, finds the source (the absolute path, then the path
 * relative to the stub's folder), opens it with its whole chain, and refuses it when its
 * size or {@link SourceFingerprint} differ from what the stub recorded.
 */
public final class StubFormat implements ImageFormat {

    public static final StubFormat INSTANCE = new StubFormat();

    private StubFormat() {
    }

    @Override
    public String name() {
        return StubBlockSource.FORMAT_NAME;
    }

    /** A VHDX whose metadata table lists the pointer item; any doubt (damage, short file) is "no". */
    @Override
    public boolean recognizes(FileProbe probe) {
        if (!probe.headStartsWith(VhdxFormat.IDENTIFIER)) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(probe.path(), StandardOpenOption.READ)) {
            for (long at : new long[] {VhdxRegionTable.TABLE1_OFFSET, VhdxRegionTable.TABLE2_OFFSET}) {
                Optional<VhdxRegionTable.Entry> metadata = regionTable(ch, probe.path(), at)
                        .flatMap(t -> t.find(VhdxRegionTable.METADATA));
                if (metadata.isPresent()) {
                    byte[] table = readFully(ch, metadata.get().fileOffset(), VhdxMetadataTable.LENGTH);
                    return table != null && VhdxMetadataTable.parse(table, probe.path(), metadata.get().fileOffset())
                            .user(StubPointer.ID).isPresent();
                }
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static Optional<VhdxRegionTable> regionTable(FileChannel ch, Path path, long at) throws IOException {
        byte[] bytes = readFully(ch, at, VhdxRegionTable.LENGTH);
        if (bytes == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(VhdxRegionTable.parse(bytes, path, at));
        } catch (ImageFormatException e) {
            return Optional.empty();
        }
    }

    /** {@code length} bytes at {@code at}, or null when the file ends before. */
    private static byte[] readFully(FileChannel ch, long at, int length) throws IOException {
        if (at < 0 || at > ch.size() - length) {
            return null;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                return null;
            }
        }
        return b.array();
    }

    @Override
    public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
        Path stub = probe.path();
        StubPointer pointer;
        long pointerOffset;
        VhdxLayoutOptions options;
        long stubDiskSize;
        try (BlockSource opened = VhdxFormat.INSTANCE.open(probe, chain)) {
            VhdxBlockSource vhdx = (VhdxBlockSource) opened;
            VhdxBlockSource.StoredItem item = vhdx.userItem(StubPointer.ID, "source pointer").orElseThrow(() ->
                    new ImageFormatException(stub, 0, "source pointer", "the metadata table no longer lists it"));
            pointerOffset = item.fileOffset();
            pointer = StubPointer.parse(item.content(), stub, pointerOffset);
            options = new VhdxLayoutOptions((int) vhdx.metadata().blockSize(), vhdx.metadata().logicalSectorSize(),
                    vhdx.metadata().physicalSectorSize());
            stubDiskSize = vhdx.size();
        }
        long sector = options.logicalSectorSize();
        if (stubDiskSize != (pointer.virtualSize() + sector - 1) / sector * sector) {
            throw new ImageFormatException(stub, pointerOffset + 16, "source pointer virtual size", pointer.virtualSize()
                    + " bytes do not match the stub's virtual disk size " + stubDiskSize);
        }
        Path source = locate(stub, pointer, pointerOffset);
        BlockSource image = chain.openBacking(stub, source.toString(), null);
        try {
            if (image.size() != pointer.virtualSize()
                    || !Arrays.equals(SourceFingerprint.of(source, image), pointer.fingerprint())) {
                throw new ImageFormatException(stub, pointerOffset + 24, "source fingerprint", "source image " + source
                        + " has changed since the stub was made (size, modification time or headers differ);"
                        + " make the stub again with 'lunport stub'");
            }
            return new StubBlockSource(image, stub, pointer, source, options);
        } catch (IOException | RuntimeException e) {
            image.close();
            throw e;
        }
    }

    /** The recorded absolute path when it exists, else the relative one from the stub's folder. */
    private static Path locate(Path stub, StubPointer pointer, long pointerOffset) throws ImageFormatException {
        Path absolute = Path.of(pointer.absolute());
        if (Files.exists(absolute)) {
            return absolute;
        }
        Path relative = null;
        if (!pointer.relative().isEmpty()) {
            relative = stub.toAbsolutePath().normalize().resolveSibling(pointer.relative()).normalize();
            if (Files.exists(relative)) {
                return relative;
            }
        }
        throw new ImageFormatException(stub, pointerOffset, "source pointer", "source image " + pointer.given()
                + " is missing (looked for " + absolute + (relative == null ? "" : " and " + relative) + ")");
    }
}
