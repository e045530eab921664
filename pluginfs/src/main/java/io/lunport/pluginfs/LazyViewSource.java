package io.lunport.pluginfs;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.MediumException;
import io.lunport.translation.RawBlockSource;
import io.lunport.translation.SourceInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The unwritten VHDX file of an image, as the base of the file's overlay: sized to the most the
 * file can grow to, the generated structures answered from a {@link ViewSnapshot}, payload
 * from the image's view, opened on the first read that needs it (a hypervisor opens, stats
 * and reads the headers of a disk many times while attaching it; none of that opens the
 * image). Bytes past the unwritten file's length read as zeros: that is where a writer
 * appends blocks.
 *
 * <p>Locking: reads take no lock once the view is open; the first payload reads race for
 * {@link #openLock}, one opens, the others wait for it.
 */
final class LazyViewSource implements BlockSource {

    private final ViewSnapshot snapshot;
    private final ViewFactory factory;
    private final Object openLock = new Object();
    private volatile ImageView view;
    private boolean closed;

    LazyViewSource(ViewSnapshot snapshot, ViewFactory factory) {
        this.snapshot = snapshot;
        this.factory = factory;
    }

    /** The length of the file before any write: past it the file reads as zeros. */
    long unwrittenLength() {
        return snapshot.fileLength();
    }

    /** Whether the image has been opened (for tests and diagnostics). */
    boolean imageOpened() {
        return view != null;
    }

    @Override
    public long size() {
        return snapshot.maxFileLength();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        byte[] structures = snapshot.structures();
        long fileLength = snapshot.fileLength();
        while (dst.hasRemaining()) {
            if (offset < structures.length) {
                int n = (int) Math.min(dst.remaining(), structures.length - offset);
                dst.put(structures, (int) offset, n);
                offset += n;
            } else if (offset < fileLength) {
                int n = (int) Math.min(dst.remaining(), fileLength - offset);
                int limit = dst.limit();
                dst.limit(dst.position() + n);
                try {
                    view().file().read(offset, dst);
                } finally {
                    dst.limit(limit);
                }
                offset += n;
            } else {
                RawBlockSource.zeroFill(dst);
            }
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        long end = offset + length;
        long structuresEnd = snapshot.structures().length;
        long fileLength = snapshot.fileLength();
        Extents runs = new Extents();
        if (offset < structuresEnd) {
            runs.add(offset, Math.min(end, structuresEnd) - offset, Extent.Kind.DATA);
        }
        long from = Math.max(offset, structuresEnd);
        long to = Math.min(end, fileLength);
        if (from < to) {
            for (Extent e : view().file().extents(from, to - from)) {
                runs.add(e.offset(), e.length(), e.kind());
            }
        }
        from = Math.max(offset, fileLength);
        if (from < end) {
            runs.add(from, end - from, Extent.Kind.ZERO);
        }
        return runs.build();
    }

    @Override
    public byte[] identity() {
        return snapshot.identity().clone();
    }

    @Override
    public String formatName() {
        return "vhdx-view";
    }

    /** Names the image (so that the overlay notices when it changes) without opening it. */
    @Override
    public SourceInfo describe() {
        return new SourceInfo(snapshot.image(), formatName(), size(), 0, null, -1,
                Map.of("fileLength", Long.toString(snapshot.fileLength())), null);
    }

    @Override
    public void close() throws IOException {
        synchronized (openLock) {
            closed = true;
            ImageView open = view;
            view = null;
            if (open != null) {
                open.file().close();
            }
        }
    }

    private ImageView view() throws IOException {
        ImageView open = view;
        if (open != null) {
            return open;
        }
        synchronized (openLock) {
            if (closed) {
                throw new IOException("the VHDX view of " + snapshot.image() + " is closed");
            }
            if (view == null) {
                view = openChecked();
            }
            return view;
        }
    }

    /** Opens the image; refuses a view that differs from the snapshot the file was shown as. */
    private ImageView openChecked() throws IOException {
        Path image = snapshot.image();
        ImageView opened;
        try {
            opened = factory.open(image);
        } catch (IOException e) {
            throw new MediumException(snapshot.structures().length, "cannot open " + image + ": " + e.getMessage(), e);
        }
        boolean same;
        try {
            same = snapshot.describes(opened);
        } catch (IOException | RuntimeException e) {
            opened.file().close();
            throw e;
        }
        if (!same) {
            opened.file().close();
            throw new MediumException(snapshot.structures().length, "the VHDX of " + image
                    + " is no longer the one this mount shows (its headers, metadata or BAT differ from the snapshot"
                    + " taken at mount): the image changed while mounted; unmount and mount again");
        }
        return opened;
    }
}
