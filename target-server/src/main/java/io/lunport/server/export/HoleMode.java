package io.lunport.server.export;

/** What a copy does with runs that read as zeros. */
public enum HoleMode {
    /**
     * Zeros are not written: runs the source reports as zero or unallocated are skipped without
     * being read, and chunks that read as all zeros are not written, so they stay holes in the
     * output (the length is set at the end).
     */
    SKIP,
    /**
     * Every block of the output is allocated, so that the file holds no hole: what Windows
     * demands of a VHDX file. The file is allocated whole first ({@link NativeFile#allocate}:
     * unwritten extents, no bytes written) and then copied as in {@link #SKIP}; where the file
     * system cannot do that, zero runs are written from a zero buffer, never read.
     */
    ALLOCATE
}
