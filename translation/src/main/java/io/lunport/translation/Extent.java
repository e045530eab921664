package io.lunport.translation;

/** A run of bytes of one kind, as {@link BlockSource#extents} reports it. */
public record Extent(long offset, long length, Kind kind) {

    public enum Kind {
        /** The image holds bytes for this run. */
        DATA,
        /** The run reads as zeros and the image says so explicitly. */
        ZERO,
        /** Nothing is stored here: a child falls through to its backing source, a base reads zeros. */
        UNALLOCATED
    }

    public Extent {
        if (offset < 0 || length <= 0) {
            throw new IllegalArgumentException("bad extent " + offset + "+" + length);
        }
    }

    public long end() {
        return offset + length;
    }
}
