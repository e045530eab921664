package io.lunport.translation.vmdk;

import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedDisk;
import io.lunport.translation.blockmap.Run;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The extents of a VMDK disk laid end to end: maps a virtual offset to the extent that holds
 * it (binary search over the extent starts) and never lets a run cross into the next extent.
 * Immutable and thread-safe.
 */
final class ExtentMap implements MappedDisk {

    private final VmdkExtent[] extents;
    private final long[] starts;
    private final long size;

    /** @param extents in disk order, each starting where the previous one ends, the first at 0 */
    ExtentMap(List<VmdkExtent> extents) {
        if (extents.isEmpty()) {
            throw new IllegalArgumentException("a disk needs at least one extent");
        }
        this.extents = extents.toArray(new VmdkExtent[0]);
        this.starts = new long[this.extents.length];
        long next = 0;
        for (int i = 0; i < this.extents.length; i++) {
            if (this.extents[i].start() != next) {
                throw new IllegalArgumentException("extent " + i + " starts at " + this.extents[i].start() + ", not " + next);
            }
            starts[i] = next;
            next += this.extents[i].size();
        }
        this.size = next;
    }

    List<VmdkExtent> extents() {
        return List.of(extents);
    }

    @Override
    public long size() {
        return size;
    }

    private VmdkExtent extentAt(long offset) {
        int i = Arrays.binarySearch(starts, offset);
        return extents[i >= 0 ? i : -i - 2];
    }

    @Override
    public Run runAt(long offset, long maxLength) throws IOException {
        VmdkExtent extent = extentAt(offset);
        return extent.runAt(offset, Math.min(maxLength, extent.start() + extent.size() - offset));
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        extentAt(offset).readStored(run, offset, dst);
    }

    @Override
    public ImageFile fileOf(Run run) {
        return extentAt(run.offset()).fileOf(run);
    }
}
