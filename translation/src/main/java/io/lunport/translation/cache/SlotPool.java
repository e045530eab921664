package io.lunport.translation.cache;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The slots of one size class of {@link OffHeapDataCache}: direct memory cut into slots of
 * {@code slotBytes}, an index from (owner, unit) to the slot holding that unit's decoded bytes,
 * and a clock that picks the slot to reuse when no free one is left.
 *
 * <p>Locking contract: every field and every slot's state, key and clock bit are guarded by
 * this pool's monitor, held only for index and clock work, never while decoding or copying.
 * A slot's bytes are written only by the one thread that took it ({@link #take}, state
 * {@code FILLING}, in no index), and read only by threads that pinned it ({@link #pin}, under
 * the monitor) until they {@link #unpin} it; the clock never reuses a pinned slot. So a reader
 * can never see a slot being overwritten, and the monitor orders the filler's writes before
 * every later reader's copy.
 *
 * <p>Slabs are allocated in chunks the first times a slot is needed (each chunk reserved
 * from the cache's shared budget), so a cache that never sees a unit size costs nothing for
 * it; after that, taking, pinning and releasing allocate nothing.
 */
final class SlotPool {

    private static final int FREE = 0;
    private static final int FILLING = 1;
    private static final int CACHED = 2;
    private static final int NONE = -1;

    /** One slot: a slice of a slab and what it holds; every field but the bytes is guarded by the pool's monitor. */
    static final class Slot {
        final int id;
        final ByteBuffer bytes;
        int state = FREE;
        Object owner;
        long unit;
        int length;
        int pins;
        boolean referenced;
        int nextInBucket = NONE;

        Slot(int id, ByteBuffer bytes) {
            this.id = id;
            this.bytes = bytes;
        }

        /** The decoded length of the unit this slot holds. */
        int length() {
            return length;
        }

        ByteBuffer bytes() {
            return bytes;
        }
    }

    private final int slotBytes;
    private final int slotsPerChunk;
    private final Budget budget;
    private final Slot[] slots;
    private final int[] buckets;
    private final int[] free;
    private int freeCount;
    private int slotCount;
    private int hand;

    /** The shared bound on slab bytes; a pool's first chunk is granted even past it. */
    interface Budget {
        boolean tryReserve(long bytes, boolean first);
    }

    SlotPool(int slotBytes, long maxBytes, int chunkBytes, Budget budget) {
        this.slotBytes = slotBytes;
        this.slotsPerChunk = (int) Math.max(1, Math.min(chunkBytes, maxBytes) / slotBytes);
        this.budget = budget;
        int maxSlots = (int) Math.min(Integer.MAX_VALUE / 4, maxBytes / slotBytes + slotsPerChunk);
        this.slots = new Slot[maxSlots];
        this.free = new int[maxSlots];
        this.buckets = new int[Integer.highestOneBit(Math.max(1, maxSlots - 1)) << 1];
        Arrays.fill(buckets, NONE);
    }

    /** The slot holding (owner, unit), pinned (the caller must {@link #unpin} it), or null. */
    synchronized Slot pin(Object owner, long unit) {
        for (int i = buckets[bucket(owner, unit)]; i != NONE; i = slots[i].nextInBucket) {
            Slot s = slots[i];
            if (s.owner == owner && s.unit == unit) {
                s.pins++;
                s.referenced = true;
                return s;
            }
        }
        return null;
    }

    synchronized void unpin(Slot slot) {
        slot.pins--;
    }

    /**
     * A slot the caller may fill: a free one, one of a new chunk while the budget allows, or
     * the least recently used unpinned one, which leaves the index ({@code evicted} counts it).
     * Null when every slot is pinned or being filled.
     */
    synchronized Slot take(Evictions evicted) {
        if (freeCount == 0 && !grow()) {
            return evictOne(evicted);
        }
        Slot s = slots[free[--freeCount]];
        s.state = FILLING;
        return s;
    }

    /**
     * Publishes a filled slot as (owner, unit); when another thread published the same unit
     * meanwhile, the slot goes back to the free list instead. Either way the caller's hold on
     * it ends.
     */
    synchronized boolean publish(Slot slot, Object owner, long unit, int length) {
        int b = bucket(owner, unit);
        for (int i = buckets[b]; i != NONE; i = slots[i].nextInBucket) {
            Slot s = slots[i];
            if (s.owner == owner && s.unit == unit) {
                release(slot);
                return false;
            }
        }
        slot.owner = owner;
        slot.unit = unit;
        slot.length = length;
        slot.state = CACHED;
        slot.referenced = false;
        slot.nextInBucket = buckets[b];
        buckets[b] = slot.id;
        return true;
    }

    /** Returns a slot the caller took but could not fill. */
    synchronized void release(Slot slot) {
        slot.state = FREE;
        slot.owner = null;
        free[freeCount++] = slot.id;
    }

    /** Counts what the clock evicts; called under the pool's monitor. */
    interface Evictions {
        void evicted(int length);
    }

    private boolean grow() {
        int n = Math.min(slotsPerChunk, slots.length - slotCount);
        if (n <= 0 || !budget.tryReserve((long) n * slotBytes, slotCount == 0)) {
            return false;
        }
        ByteBuffer slab = ByteBuffer.allocateDirect(n * slotBytes);
        for (int i = 0; i < n; i++) {
            Slot s = new Slot(slotCount, slab.slice(i * slotBytes, slotBytes));
            slots[slotCount++] = s;
            free[freeCount++] = s.id;
        }
        return true;
    }

    /** The clock: clears the referenced bit of recently used slots, takes the first one without it. */
    private Slot evictOne(Evictions evicted) {
        for (int step = 0; step < 2 * slotCount; step++) {
            Slot s = slots[hand];
            hand = hand + 1 == slotCount ? 0 : hand + 1;
            if (s.state != CACHED || s.pins > 0) {
                continue;
            }
            if (s.referenced) {
                s.referenced = false;
                continue;
            }
            unlink(s);
            evicted.evicted(s.length);
            s.state = FILLING;
            s.owner = null;
            return s;
        }
        return null;
    }

    private void unlink(Slot slot) {
        int b = bucket(slot.owner, slot.unit);
        if (buckets[b] == slot.id) {
            buckets[b] = slot.nextInBucket;
        } else {
            Slot prev = slots[buckets[b]];
            while (prev.nextInBucket != slot.id) {
                prev = slots[prev.nextInBucket];
            }
            prev.nextInBucket = slot.nextInBucket;
        }
        slot.nextInBucket = NONE;
    }

    private int bucket(Object owner, long unit) {
        long h = (unit ^ (unit >>> 29)) * 0x9E3779B97F4A7C15L + System.identityHashCode(owner);
        return (int) (h ^ (h >>> 32)) & (buckets.length - 1);
    }
}
