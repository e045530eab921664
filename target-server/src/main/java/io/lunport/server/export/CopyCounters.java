package io.lunport.server.export;

import java.util.concurrent.atomic.AtomicLong;

/**
 * How far a copy is, read by the progress display while the copy's workers update it. Counting
 * per chunk (megabytes), never per byte, so the contention is negligible.
 */
public final class CopyCounters {

    private final long total;
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong written = new AtomicLong();

    public CopyCounters(long total) {
        this.total = total;
    }

    /** Bytes of the output the copy is for. */
    public long total() {
        return total;
    }

    /** Bytes of the output dealt with so far: written, or skipped as holes. */
    public long done() {
        return done.get();
    }

    /** Bytes actually written to the output so far. */
    public long written() {
        return written.get();
    }

    void wrote(long length) {
        written.addAndGet(length);
        done.addAndGet(length);
    }

    void skipped(long length) {
        done.addAndGet(length);
    }
}
