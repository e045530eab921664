package io.lunport.device;

import io.lunport.translation.BlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * A virtual disk the SCSI layer can write: a {@link BlockSource} plus writes, flushes and
 * deallocation.
 *
 * <p>Locking contract: as for {@link BlockSource}, every method may be called from many
 * threads at once. Writes to disjoint ranges proceed in parallel; the caller (the SCSI
 * layer) orders overlapping writes where SCSI requires it. {@link #flush()} makes every write
 * that completed before it was called durable.
 */
public interface BlockDevice extends BlockSource {

    boolean isReadOnly();

    /**
     * Writes {@code src} (position to limit) at {@code offset}.
     *
     * @param forceUnitAccess when true the data is durable before this returns (SCSI FUA)
     */
    void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException;

    /** Makes every completed write durable (SYNCHRONIZE CACHE). */
    void flush() throws IOException;

    /** Whether {@link #deallocate} really releases space, so LBPME may be advertised. */
    boolean supportsDeallocate();

    /** Releases a range; afterwards it reads as zeros (LBPRZ). */
    void deallocate(long offset, long length) throws IOException;
}
