package io.lunport.iscsi;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A bounded multi-producer multi-consumer queue without locks and without an object per element
 * (D. Vyukov's bounded MPMC ring): each slot carries a sequence number that says whether it is
 * free for the producer of a given position or holds the element for the consumer of it.
 * Producers and consumers claim positions by compare-and-set and never wait for one another
 * beyond a retry, so an event loop that offers never blocks.
 */
final class HandOffQueue<E> {

    private final AtomicReferenceArray<E> slots;
    /** Slot i is free for the producer of position p when it holds p, full for its consumer when p + 1. */
    private final AtomicLongArray sequences;
    private final int mask;
    private final AtomicLong producerPosition = new AtomicLong();
    private final AtomicLong consumerPosition = new AtomicLong();

    /** @param capacity a power of two */
    HandOffQueue(int capacity) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two: " + capacity);
        }
        slots = new AtomicReferenceArray<>(capacity);
        sequences = new AtomicLongArray(capacity);
        for (int i = 0; i < capacity; i++) {
            sequences.set(i, i);
        }
        mask = capacity - 1;
    }

    /** Adds {@code element} (not null); false when the queue is full. */
    boolean offer(E element) {
        long position = producerPosition.get();
        while (true) {
            int slot = (int) position & mask;
            long lag = sequences.get(slot) - position;
            if (lag == 0) {
                if (producerPosition.compareAndSet(position, position + 1)) {
                    slots.lazySet(slot, element);
                    sequences.set(slot, position + 1); // publishes the element
                    return true;
                }
                position = producerPosition.get();
            } else if (lag < 0) {
                return false; // the consumer of the previous round has not emptied the slot yet: full
            } else {
                position = producerPosition.get(); // another producer took this position
            }
        }
    }

    /** Takes the oldest element, or null when the queue is empty. */
    E poll() {
        long position = consumerPosition.get();
        while (true) {
            int slot = (int) position & mask;
            long lag = sequences.get(slot) - (position + 1);
            if (lag == 0) {
                if (consumerPosition.compareAndSet(position, position + 1)) {
                    E element = slots.get(slot);
                    slots.lazySet(slot, null);
                    sequences.set(slot, position + mask + 1); // free for the producer of the next round
                    return element;
                }
                position = consumerPosition.get();
            } else if (lag < 0) {
                return null; // not produced yet: empty
            } else {
                position = consumerPosition.get(); // another consumer took this position
            }
        }
    }
}
