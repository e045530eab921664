package io.lunport.overlay;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** Operations on an overlay file without its image: what {@code lunport overlay info|reset} do. */
public final class OverlayFiles {

    private OverlayFiles() {
    }

    /**
     * What an overlay holds, as its file says (a server that has it attached may hold newer,
     * not yet flushed state in memory).
     *
     * @param bytesUsed grains present times the grain size: the data the overlay stores
     */
    public record Info(Path file, String basePath, String baseFormat, String baseIdentity, long virtualSize,
                       int grainSize, long grains, long grainsPresent, long grainsZero, long bytesUsed,
                       long fileLength, boolean inUse) {
    }

    public static Info info(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            OverlayHeader header = OverlayBlockDevice.readHeader(channel, file);
            GrainMap map = new GrainMap(header.grains());
            OverlayBlockDevice.loadMap(channel, header, map, new byte[map.pages()]);
            boolean inUse;
            try {
                FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
                inUse = lock == null;
                if (lock != null) {
                    lock.release();
                }
            } catch (java.nio.channels.OverlappingFileLockException e) {
                inUse = true;
            }
            long present = map.count(GrainMap.PRESENT);
            return new Info(file, header.basePath(), header.baseFormat(), header.identityHex(), header.virtualSize(),
                    header.grainSize(), header.grains(), present, map.count(GrainMap.ZERO),
                    present * header.grainSize(), channel.size(), inUse);
        }
    }

    /**
     * Discards every write: the file keeps its header (and so its image) and loses its data
     * and map. Refused while a server has the overlay attached. One truncate, which a crash
     * either did or did not do.
     */
    public static void reset(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = OverlayBlockDevice.lock(channel, file, false);
            } catch (OverlayException e) {
                throw new OverlayException(file, "overlay " + file + " is being served: stop the server (or remove the LUN) "
                        + "before resetting it");
            }
            try {
                OverlayBlockDevice.readHeader(channel, file);
                channel.truncate(OverlayHeader.SIZE);
                channel.force(true);
            } finally {
                lock.release();
            }
        }
    }
}
