package io.lunport.overlay;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.zip.CRC32C;

/**
 * The allocation state of every grain, two bits each, in memory; and the on-disk encoding of
 * that state as checksummed map pages.
 *
 * <p>The in-memory map is one {@link AtomicLongArray}: 32 grains per long, so 2 bits per
 * grain (64 MiB per TiB of virtual disk at 4 KiB grains). Updates are compare-and-set on the
 * long, so writers of neighbouring grains (holding different grain locks) never lose each
 * other's update, and a reader sees each grain's state with volatile semantics: a state read
 * as PRESENT implies the data write that preceded it is visible.
 *
 * <p>Every change marks its map page dirty; {@link #takeDirtyPage} hands dirty pages to the
 * flusher, which clears the mark before copying, so a change racing with the copy is either
 * in the copy or marks the page again.
 */
final class GrainMap {

    static final int NOT_PRESENT = 0;
    static final int PRESENT = 1;
    static final int ZERO = 2;

    /** One map page on disk: a 64-byte header and 504 longs of state (16128 grains). */
    static final int PAGE_SIZE = 4096;
    static final int PAGE_HEADER = 64;
    static final int LONGS_PER_PAGE = (PAGE_SIZE - PAGE_HEADER) / Long.BYTES;
    static final int GRAINS_PER_PAGE = LONGS_PER_PAGE * 32;
    static final int PAGE_MAGIC = 0x504D564F; // "OVMP" read little-endian

    private final long grains;
    private final int pages;
    private final AtomicLongArray bits;
    private final AtomicLongArray dirty;

    GrainMap(long grains) {
        this.grains = grains;
        long pageCount = Math.max(1, (grains + GRAINS_PER_PAGE - 1) / GRAINS_PER_PAGE);
        long longs = pageCount * LONGS_PER_PAGE;
        if (longs > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a map of " + grains + " grains does not fit in memory: use larger grains");
        }
        this.pages = (int) pageCount;
        this.bits = new AtomicLongArray((int) longs);
        this.dirty = new AtomicLongArray((pages + 63) / 64);
    }

    long grains() {
        return grains;
    }

    int pages() {
        return pages;
    }

    int state(long grain) {
        long word = bits.get((int) (grain >>> 5));
        return (int) (word >>> ((grain & 31) << 1)) & 3;
    }

    /** Sets one grain; returns whether its state changed (and then marks its page dirty). */
    boolean set(long grain, int state) {
        int index = (int) (grain >>> 5);
        int shift = (int) (grain & 31) << 1;
        long mask = 3L << shift;
        long want = (long) state << shift;
        while (true) {
            long word = bits.get(index);
            if ((word & mask) == want) {
                return false;
            }
            if (bits.compareAndSet(index, word, (word & ~mask) | want)) {
                markDirty((int) (grain / GRAINS_PER_PAGE));
                return true;
            }
        }
    }

    /**
     * How many grains have {@code state}. A scan of the map, 32 grains per step (a few
     * milliseconds per TiB at 4 KiB grains): for info, metrics and tests, not the I/O path.
     */
    long count(int state) {
        if (state == NOT_PRESENT) {
            // The padding grains past the end of the last word read as NOT_PRESENT: count the others.
            return grains - count(PRESENT) - count(ZERO);
        }
        long n = 0;
        for (int i = 0; i < bits.length(); i++) {
            long word = bits.get(i);
            long low = word & LOW_BITS;
            long high = (word >>> 1) & LOW_BITS;
            n += Long.bitCount(state == PRESENT ? low & ~high : high & ~low);
        }
        return n;
    }

    /** The low bit of every 2-bit grain state in a word. */
    private static final long LOW_BITS = 0x5555_5555_5555_5555L;

    void markDirty(int page) {
        int index = page >>> 6;
        long bit = 1L << (page & 63);
        while (true) {
            long word = dirty.get(index);
            if ((word & bit) != 0 || dirty.compareAndSet(index, word, word | bit)) {
                return;
            }
        }
    }

    /**
     * The next dirty page at or after {@code from}, with its mark cleared; -1 when none. The
     * caller must copy the page after this returns (see the class comment).
     */
    int takeDirtyPage(int from) {
        for (int index = from >>> 6; index < dirty.length(); index++) {
            long word = dirty.get(index);
            if (index == from >>> 6) {
                word &= -1L << (from & 63);
            }
            while (word != 0) {
                int bit = Long.numberOfTrailingZeros(word);
                long mask = 1L << bit;
                long current = dirty.getAndUpdate(index, w -> w & ~mask);
                if ((current & mask) != 0) {
                    return (index << 6) + bit;
                }
                word &= ~mask;
            }
        }
        return -1;
    }

    boolean anyDirty() {
        for (int i = 0; i < dirty.length(); i++) {
            if (dirty.get(i) != 0) {
                return true;
            }
        }
        return false;
    }

    /** Encodes page {@code page} with sequence number {@code seq} into {@code slot} (4096 bytes at its position). */
    void encodePage(int page, long seq, ByteBuffer slot) {
        ByteBuffer b = slot.slice().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, PAGE_MAGIC);
        b.putInt(4, page);
        b.putLong(8, seq);
        b.putInt(16, 0);
        for (int i = 20; i < PAGE_HEADER; i += 4) {
            b.putInt(i, 0);
        }
        int base = page * LONGS_PER_PAGE;
        for (int i = 0; i < LONGS_PER_PAGE; i++) {
            b.putLong(PAGE_HEADER + i * Long.BYTES, bits.get(base + i));
        }
        b.putInt(16, crc(b));
    }

    /**
     * The sequence number of a valid copy of page {@code page} in {@code slot}, or -1 when the
     * slot is empty, torn, or belongs to another page.
     */
    static long validSeq(int page, ByteBuffer slot) {
        ByteBuffer b = slot.slice().order(ByteOrder.LITTLE_ENDIAN);
        if (b.getInt(0) != PAGE_MAGIC || b.getInt(4) != page) {
            return -1;
        }
        int stored = b.getInt(16);
        b.putInt(16, 0);
        int actual = crc(b);
        b.putInt(16, stored);
        return stored == actual ? b.getLong(8) : -1;
    }

    /** Loads page {@code page} from a slot that {@link #validSeq} accepted. */
    void loadPage(int page, ByteBuffer slot) {
        ByteBuffer b = slot.slice().order(ByteOrder.LITTLE_ENDIAN);
        int base = page * LONGS_PER_PAGE;
        for (int i = 0; i < LONGS_PER_PAGE; i++) {
            long word = b.getLong(PAGE_HEADER + i * Long.BYTES);
            // State 3 is never written; a page that claims it is treated like its grains were never touched.
            long both = word & (word >>> 1) & 0x5555_5555_5555_5555L;
            bits.set(base + i, word & ~(both | both << 1));
        }
    }

    private static int crc(ByteBuffer page) {
        CRC32C crc = new CRC32C();
        crc.update(page.duplicate().position(0).limit(PAGE_SIZE));
        return (int) crc.getValue();
    }
}
