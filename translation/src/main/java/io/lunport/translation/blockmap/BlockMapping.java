package io.lunport.translation.blockmap;

/** Where the bytes of one block of a block-mapped image come from. */
public sealed interface BlockMapping {

    /** The whole block is stored in the file from {@code fileOffset}. */
    record Stored(long fileOffset) implements BlockMapping {
    }

    /** The block reads as zeros, and the image says so explicitly. */
    record Zero() implements BlockMapping {
    }

    /** Nothing is stored: the parent's bytes show through, or zeros without a parent. */
    record Absent() implements BlockMapping {
    }

    /** Sectors whose bit is set are stored from {@code fileOffset}; the others come from the parent. */
    record Partial(long fileOffset, SectorBitmap bitmap) implements BlockMapping {
    }

    BlockMapping ZERO = new Zero();
    BlockMapping ABSENT = new Absent();
}
