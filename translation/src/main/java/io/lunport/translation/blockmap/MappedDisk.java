package io.lunport.translation.blockmap;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A virtual disk whose bytes an allocation table places: VMDK grain tables and flat extents,
 * the VDI block map, the VHD and VHDX BATs (with their sector bitmaps). {@link MappedBlockSource}
 * turns one into reads and extents, so each format only answers "what is at this offset".
 *
 * <p>Implementations are thread-safe and take no locks of their own beyond their caches.
 */
public interface MappedDisk {

    /** Virtual size in bytes. */
    long size();

    /**
     * The run that starts at {@code offset}: never longer than {@code maxLength}, never past
     * {@link #size()}, at least one byte.
     */
    Run runAt(long offset, long maxLength) throws IOException;

    /**
     * Fills {@code dst} (position to limit) with the stored bytes at {@code offset}, which lies
     * inside {@code run} (a DATA or COMPRESSED run this disk returned) together with the whole
     * of {@code dst}.
     */
    void readStored(Run run, long offset, ByteBuffer dst) throws IOException;

    /**
     * The file whose bytes from {@code run.host()} on a DATA run this disk returned are, so
     * that its holes can be reported as zeros (a fixed VHD or a flat VMDK made by truncating a
     * file is mostly holes); null when there is no such single file.
     */
    default ImageFile fileOf(Run run) {
        return null;
    }
}
