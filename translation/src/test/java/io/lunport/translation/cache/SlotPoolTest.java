package io.lunport.translation.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The locking contract's rule that matters: a pinned slot is never handed out for refilling. */
class SlotPoolTest {

    private static final int SLOT = 4096;
    private final AtomicInteger evictions = new AtomicInteger();
    private final SlotPool.Evictions count = length -> evictions.incrementAndGet();
    private final SlotPool pool = new SlotPool(SLOT, 2 * SLOT, 1 << 20, (bytes, first) -> first); // one chunk of two slots
    private final Object owner = new Object();

    private SlotPool.Slot cache(long unit) {
        SlotPool.Slot slot = pool.take(count);
        assertThat(slot).isNotNull();
        assertThat(pool.publish(slot, owner, unit, SLOT)).isTrue();
        return slot;
    }

    @Test
    void theClockSkipsPinnedSlotsAndGivesUpWhenAllArePinned() {
        SlotPool.Slot a = cache(1);
        SlotPool.Slot b = cache(2);
        assertThat(pool.pin(owner, 1)).isSameAs(a);

        SlotPool.Slot taken = pool.take(count);
        assertThat(taken).isSameAs(b);
        assertThat(pool.pin(owner, 2)).as("an evicted unit leaves the index").isNull();
        assertThat(pool.publish(taken, owner, 3, SLOT)).isTrue();
        assertThat(pool.pin(owner, 3)).isSameAs(b);

        assertThat(pool.take(count)).as("both slots pinned").isNull();
        assertThat(evictions).hasValue(1);

        pool.unpin(a);
        assertThat(pool.take(count)).as("unpinned, and its referenced bit cleared by the last sweep").isSameAs(a);
        assertThat(pool.pin(owner, 1)).isNull();
    }

    @Test
    void aUnitPublishedTwiceKeepsTheFirstSlotAndFreesTheSecond() {
        SlotPool.Slot first = pool.take(count);
        SlotPool.Slot second = pool.take(count);
        assertThat(pool.publish(first, owner, 5, SLOT)).isTrue();
        assertThat(pool.publish(second, owner, 5, SLOT)).isFalse();
        assertThat(pool.pin(owner, 5)).isSameAs(first);
        assertThat(pool.take(count)).as("the freed slot, no eviction").isSameAs(second);
        assertThat(evictions).hasValue(0);
    }
}
