package io.lunport.translation.cache;

import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Decoded units (compressed qcow2 clusters, VMDK grains) kept in recycled direct memory, so
 * that neither a hit nor a miss allocates: a miss decodes into a slot taken from a pool and a
 * read copies out of the slot into the caller's buffer. A 64 KiB heap array per miss, as the
 * cache this replaces made, paused random 4 KiB readers of compressed images for 1.5 s of
 * young collections in a 7 s benchmark.
 *
 * <p>Units are grouped by size class (their length rounded up to a power of two, 4 KiB to
 * 2 MiB: the qcow2 cluster sizes and VMDK grain sizes), one {@link SlotPool} each; larger or
 * empty units are decoded into a per-thread scratch buffer and not cached.
 *
 * <p>Memory cost: slab bytes are reserved from one budget of {@code maxBytes} in chunks of
 * {@link #CHUNK_BYTES} (less when the budget is smaller; at least one slot) the first times a
 * size class needs a slot,
 * and never returned; a size class that finds the budget taken by others still gets one
 * chunk, so the total is at most {@code maxBytes} plus one chunk per size class in use (a
 * server whose images all use 64 KiB units holds exactly {@code maxBytes} once warm). On the
 * heap: about 80 bytes per slot of bookkeeping, plus one scratch buffer per reading thread
 * that ever found every slot of its class pinned (the size of the largest such unit).
 *
 * <p>Locking contract: see {@link SlotPool}. Decoding runs outside every lock; two threads
 * that miss the same unit at once both decode it, and the first to publish it is cached.
 * Thread-safe.
 */
public final class OffHeapDataCache {

    /** Slab memory is reserved in chunks of this size (or of the budget, when smaller; at least one slot). */
    public static final int CHUNK_BYTES = 1 << 20;
    private static final int MIN_CLASS_SHIFT = 12;
    private static final int MAX_CLASS_SHIFT = 21;

    /** Decodes one unit into {@code out} (position 0, limit the unit's length); returns the bytes produced. */
    @FunctionalInterface
    public interface UnitDecoder {
        int decode(long unit, long virtualOffset, ByteBuffer out) throws IOException;
    }

    private final long maxBytes;
    private final SlotPool[] pools = new SlotPool[MAX_CLASS_SHIFT - MIN_CLASS_SHIFT + 1];
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong cachedBytes = new AtomicLong();
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder loadNanos = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder evictedBytes = new LongAdder();
    private final SlotPool.Evictions onEviction = length -> {
        evictions.increment();
        evictedBytes.add(length);
        cachedBytes.addAndGet(-length);
    };
    private final ThreadLocal<ByteBuffer> scratch = new ThreadLocal<>();

    public OffHeapDataCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /**
     * Copies {@code dst.remaining()} bytes at {@code offsetInUnit} of the decoded unit
     * ({@code owner}, {@code unit}) into {@code dst}, decoding the unit on a miss with
     * {@code decoder} (given {@code unit}, {@code virtualOffset} for its error messages, and
     * room for {@code unitBytes}).
     *
     * @return the unit's decoded length; when it is shorter than {@code offsetInUnit +
     *         dst.remaining()} nothing was copied and the caller reports the short unit
     */
    public int read(Object owner, long unit, int unitBytes, UnitDecoder decoder, long virtualOffset,
            int offsetInUnit, ByteBuffer dst) throws IOException {
        SlotPool pool = pool(unitBytes);
        if (pool == null) {
            misses.increment();
            return decodeUncached(unit, unitBytes, decoder, virtualOffset, offsetInUnit, dst);
        }
        SlotPool.Slot hit = pool.pin(owner, unit);
        if (hit != null) {
            hits.increment();
            try {
                return copy(hit.bytes(), hit.length(), offsetInUnit, dst);
            } finally {
                pool.unpin(hit);
            }
        }
        misses.increment();
        SlotPool.Slot slot = pool.take(onEviction);
        if (slot == null) {
            return decodeUncached(unit, unitBytes, decoder, virtualOffset, offsetInUnit, dst);
        }
        int length;
        try {
            length = decode(unit, unitBytes, decoder, virtualOffset, slot.bytes());
        } catch (IOException | RuntimeException | Error e) {
            pool.release(slot);
            throw e;
        }
        // The slot is still ours alone: copy before publishing, after which it could be evicted.
        int result = copy(slot.bytes(), length, offsetInUnit, dst);
        if (pool.publish(slot, owner, unit, length)) {
            cachedBytes.addAndGet(length);
        }
        return result;
    }

    private int decodeUncached(long unit, int unitBytes, UnitDecoder decoder, long virtualOffset, int offsetInUnit,
            ByteBuffer dst) throws IOException {
        ByteBuffer buffer = scratch.get();
        if (buffer == null || buffer.capacity() < unitBytes) {
            buffer = ByteBuffer.allocateDirect(unitBytes);
            scratch.set(buffer);
        }
        int length = decode(unit, unitBytes, decoder, virtualOffset, buffer);
        return copy(buffer, length, offsetInUnit, dst);
    }

    private int decode(long unit, int unitBytes, UnitDecoder decoder, long virtualOffset, ByteBuffer into)
            throws IOException {
        long start = System.nanoTime();
        into.clear().limit(unitBytes);
        try {
            int length = decoder.decode(unit, virtualOffset, into);
            loadSuccesses.increment();
            return length;
        } catch (IOException | RuntimeException | Error e) {
            loadFailures.increment();
            throw e;
        } finally {
            into.clear(); // readers copy with absolute indexes below the capacity
            loadNanos.add(System.nanoTime() - start);
        }
    }

    private static int copy(ByteBuffer from, int length, int offset, ByteBuffer dst) {
        int n = dst.remaining();
        if (offset + n <= length) {
            dst.put(dst.position(), from, offset, n);
            dst.position(dst.position() + n);
        }
        return length;
    }

    private SlotPool pool(int unitBytes) {
        if (unitBytes <= 0 || unitBytes > 1 << MAX_CLASS_SHIFT) {
            return null;
        }
        int shift = Math.max(MIN_CLASS_SHIFT, 32 - Integer.numberOfLeadingZeros(unitBytes - 1));
        int index = shift - MIN_CLASS_SHIFT;
        SlotPool pool = pools[index];
        if (pool != null) {
            return pool;
        }
        synchronized (pools) {
            if (pools[index] == null) {
                pools[index] = new SlotPool(1 << shift, maxBytes, CHUNK_BYTES, this::tryReserve);
            }
            return pools[index];
        }
    }

    private boolean tryReserve(long bytes, boolean first) {
        while (true) {
            long now = reserved.get();
            if (!first && now + bytes > maxBytes) {
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Hits, misses, loads, evictions (their weight in bytes) since the cache was made. */
    public CacheStats stats() {
        return CacheStats.of(hits.sum(), misses.sum(), loadSuccesses.sum(), loadFailures.sum(), loadNanos.sum(),
                evictions.sum(), evictedBytes.sum());
    }

    /** Decoded bytes the cache holds now. */
    public long cachedBytes() {
        return cachedBytes.get();
    }

    /** Direct memory the slabs hold (allocated once, never returned). */
    public long slabBytes() {
        return reserved.get();
    }
}
