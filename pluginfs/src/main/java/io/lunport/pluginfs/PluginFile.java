package io.lunport.pluginfs;

import io.lunport.overlay.OverlayBlockDevice;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code NAME.vhdx} of the mount: the image's VHDX file with every write a hypervisor makes
 * to it (header and log updates, BAT updates, blocks appended past the end) kept in a
 * crash-safe overlay addressed by file offset; the image never changes.
 *
 * <p>The overlay spans the most the file can grow to; the logical length (where the file ends
 * now) lives in a {@link LengthRecord} beside it. Bytes between the logical length and the
 * overlay's end read as zeros (a truncate deallocates the tail it cuts off), so growing the
 * file again shows zeros, as POSIX requires.
 *
 * <p><b>Durability:</b> as a disk's: a write is durable after {@link #flush()} (fsync), which
 * first records a changed length and then flushes the overlay. A crash between the two leaves
 * the file longer, with zeros at its end, never shorter than data a flush acknowledged.
 *
 * <p><b>Locking:</b> reads and writes take the resize lock shared, and so run in parallel
 * (the overlay orders writes to one grain); {@link #truncate} takes it exclusively, so no read
 * sees half a truncate. {@link #flush()} takes no lock of its own beyond the overlay's.
 */
public final class PluginFile implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(PluginFile.class);

    private final String name;
    private final Path lengthFile;
    private final LazyViewSource base;
    private final OverlayBlockDevice overlay;
    private final long maxLength;
    private final ReentrantReadWriteLock resize = new ReentrantReadWriteLock();
    private final AtomicBoolean lengthDirty = new AtomicBoolean();
    private volatile long length;
    private volatile long mtimeMillis;
    private volatile boolean timeDirty;

    private PluginFile(String name, Path lengthFile, LazyViewSource base, OverlayBlockDevice overlay,
                       LengthRecord state) {
        this.name = name;
        this.lengthFile = lengthFile;
        this.base = base;
        this.overlay = overlay;
        this.maxLength = overlay.size();
        this.length = state.length();
        this.mtimeMillis = state.mtimeMillis();
    }

    /**
     * Opens {@code NAME.vhdx} for {@code image}, its state in {@code stateDir}: the metadata
     * snapshot is taken from the image only when there is none or the image changed; the
     * image's payload is not read.
     */
    public static PluginFile open(String name, Path image, Path stateDir, ViewFactory factory) throws IOException {
        Files.createDirectories(stateDir);
        String fileName = name + ".vhdx";
        Path overlayFile = stateDir.resolve(fileName + ".overlay");
        Path lengthFile = stateDir.resolve(fileName + ".length");
        ViewSnapshot snapshot = snapshot(image, stateDir.resolve(fileName + ".meta"), factory);
        LengthRecord state = Files.exists(overlayFile) ? LengthRecord.load(lengthFile) : null;
        if (state == null) {
            // No writes yet (or the overlay was moved away): the file is the image's view.
            Files.deleteIfExists(lengthFile);
            state = new LengthRecord(snapshot.fileLength(), snapshot.imageMtimeMillis());
        }
        LazyViewSource base = new LazyViewSource(snapshot, factory);
        OverlayBlockDevice overlay;
        try {
            overlay = OverlayBlockDevice.open(base, overlayFile);
        } catch (IOException | RuntimeException e) {
            base.close();
            throw e;
        }
        if (state.length() > overlay.size()) {
            overlay.close();
            throw new StateFiles.StateFileException(lengthFile, "length " + state.length()
                    + " at offset 16 is beyond the overlay's " + overlay.size() + " bytes");
        }
        return new PluginFile(fileName, lengthFile, base, overlay, state);
    }

    private static ViewSnapshot snapshot(Path image, Path metaFile, ViewFactory factory) throws IOException {
        if (!Files.isRegularFile(image)) {
            throw new java.nio.file.NoSuchFileException(image.toString(), null, "no such image file");
        }
        try {
            ViewSnapshot cached = ViewSnapshot.load(metaFile);
            if (cached != null && cached.matches(image)) {
                return cached;
            }
        } catch (StateFiles.StateFileException e) {
            log.warn("{}; taking the snapshot again from {}", e.getMessage(), image);
        }
        ViewSnapshot fresh;
        try (var closer = new ViewCloser(factory.open(image))) {
            fresh = ViewSnapshot.capture(image, closer.view);
        }
        fresh.save(metaFile);
        return fresh;
    }

    /** Closes a view's source after its snapshot was taken (the payload is opened again on demand). */
    private record ViewCloser(ImageView view) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            view.file().close();
        }
    }

    /** {@code NAME.vhdx}. */
    public String name() {
        return name;
    }

    public long length() {
        return length;
    }

    public long mtimeMillis() {
        return mtimeMillis;
    }

    /** The most the file can grow to: the overlay's size. */
    public long maxLength() {
        return maxLength;
    }

    /** Whether the image has been opened (it is only for payload reads). */
    public boolean imageOpened() {
        return base.imageOpened();
    }

    /**
     * Reads from {@code offset} into {@code dst} up to the end of the file.
     *
     * @return the bytes read, 0 at or past the end
     */
    public int read(long offset, ByteBuffer dst) throws IOException {
        resize.readLock().lock();
        try {
            long available = length - offset;
            if (available <= 0) {
                return 0;
            }
            int n = (int) Math.min(dst.remaining(), available);
            int limit = dst.limit();
            dst.limit(dst.position() + n);
            try {
                overlay.read(offset, dst);
            } finally {
                dst.limit(limit);
            }
            return n;
        } finally {
            resize.readLock().unlock();
        }
    }

    /** Writes {@code src} at {@code offset}; a write past the end grows the file. */
    public void write(long offset, ByteBuffer src) throws IOException {
        long end = offset + src.remaining();
        if (end > maxLength) {
            throw new FileTooLargeException(name, end, maxLength);
        }
        resize.readLock().lock();
        try {
            overlay.write(offset, src, false);
            if (end > length) {
                growTo(end);
            }
            touch();
        } finally {
            resize.readLock().unlock();
        }
    }

    private synchronized void growTo(long end) {
        if (end > length) {
            length = end;
            lengthDirty.set(true);
        }
    }

    /** Sets the length: the part cut off is deallocated (reads as zeros if the file grows again). */
    public void truncate(long newLength) throws IOException {
        if (newLength < 0 || newLength > maxLength) {
            throw new FileTooLargeException(name, newLength, maxLength);
        }
        resize.writeLock().lock();
        try {
            long old = length;
            // The image's own bytes reach up to the unwritten length; cut them off too, in case
            // the file grows again over them.
            long dataEnd = Math.max(old, base.unwrittenLength());
            if (newLength < dataEnd) {
                overlay.deallocate(newLength, dataEnd - newLength);
            }
            if (newLength != old) {
                length = newLength;
                lengthDirty.set(true);
                touch();
            }
        } finally {
            resize.writeLock().unlock();
        }
    }

    private void touch() {
        mtimeMillis = System.currentTimeMillis();
        timeDirty = true;
    }

    /** Makes every completed write and the current length durable. */
    public void flush() throws IOException {
        if (lengthDirty.getAndSet(false)) {
            try {
                saveLength();
            } catch (IOException e) {
                lengthDirty.set(true);
                throw e;
            }
        }
        overlay.flush();
    }

    private synchronized void saveLength() throws IOException {
        timeDirty = false;
        new LengthRecord(length, mtimeMillis).save(lengthFile);
    }

    @Override
    public void close() throws IOException {
        try {
            if (lengthDirty.getAndSet(false) || timeDirty) {
                saveLength();
            }
        } finally {
            overlay.close(); // flushes; closes the view and the image
        }
    }
}
