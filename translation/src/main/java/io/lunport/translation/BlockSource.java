package io.lunport.translation;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * A read-only virtual disk: the one interface every image format implements.
 *
 * <p>Locking contract: every method may be called from many threads at once. Reads are
 * positional and never move shared state, so an implementation needs no lock on the read
 * path beyond what its caches take. {@link #close()} must not race with reads; the owner
 * closes a source only after every reader has finished.
 *
 * <p>Memory contract: opening a source reads its headers only. Anything proportional to
 * the virtual size (tables, maps) is loaded on demand into bounded caches.
 */
public interface BlockSource extends Closeable {

    /** Virtual size in bytes. */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code offset}.
     * Reads past {@link #size()} are a caller error.
     *
     * @throws MediumException when the image cannot deliver the bytes (I/O error, corrupt data)
     */
    void read(long offset, ByteBuffer dst) throws IOException;

    /**
     * Describes {@code [offset, offset + length)} as consecutive runs, without reading payload.
     * The runs cover the range exactly and in order.
     */
    List<Extent> extents(long offset, long length) throws IOException;

    /**
     * Stable bytes that name this image: the same file gives the same identity across
     * restarts, a different or rewritten image a different one. Used for the SCSI
     * device identifier and to notice a base that changed under an overlay.
     */
    byte[] identity();

    /** A one-word name of the format, as {@code inspect} prints it ("raw", "qcow2", ...). */
    String formatName();

    /** This layer and the chain below it, for {@code inspect}. Reads headers only. */
    SourceInfo describe() throws IOException;

    @Override
    void close() throws IOException;
}
