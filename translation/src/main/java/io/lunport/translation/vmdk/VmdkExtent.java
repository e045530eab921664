package io.lunport.translation.vmdk;

import io.lunport.translation.blockmap.MappedDisk;

/**
 * One extent of a VMDK disk, placed at {@link #start()} in the disk. Its runs and reads take
 * the disk's virtual offsets (not offsets inside the extent), so that {@link ExtentMap} only
 * picks the extent and errors name the offset the initiator asked for; {@link #size()} is
 * the extent's length.
 */
interface VmdkExtent extends MappedDisk {

    /** The virtual offset of the extent's first byte. */
    long start();

    /** How inspect names this extent: type and file. */
    String label();
}
