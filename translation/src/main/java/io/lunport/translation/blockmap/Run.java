package io.lunport.translation.blockmap;

/**
 * A run of virtual bytes that one allocation table entry (or several that continue each
 * other) describes.
 *
 * @param kind   what the run is made of
 * @param offset the virtual offset of the run's first byte
 * @param length the run's length in bytes (at least 1)
 * @param host   for {@link Kind#DATA}: the file offset of the run's first byte; for
 *               {@link Kind#COMPRESSED}: the file offset of the compressed unit the run lies in;
 *               otherwise unused (-1)
 */
public record Run(Kind kind, long offset, long length, long host) {

    public enum Kind {
        /** Stored as is: the bytes sit at {@code host} onward in the file. */
        DATA,
        /** Stored compressed: one unit at most, decoded by the reader. */
        COMPRESSED,
        /** The table says these bytes are zeros. */
        ZERO,
        /** The table has no entry: the backing source (or zeros) provides the bytes. */
        UNALLOCATED
    }

    public long end() {
        return offset + length;
    }
}
