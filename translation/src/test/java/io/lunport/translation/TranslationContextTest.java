package io.lunport.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The data cache's rules: load on a miss outside the cache's locks, then one shared array per unit. */
class TranslationContextTest {

    private final TranslationContext context = new TranslationContext(1 << 20, 1 << 20);
    private final Object owner = new Object();

    @Test
    void aMissLoadsAndCachesAHitDoesNotLoad() throws IOException {
        AtomicInteger loads = new AtomicInteger();
        byte[] first = context.data(owner, 7, () -> {
            loads.incrementAndGet();
            return new byte[] {1, 2, 3};
        });
        byte[] second = context.data(owner, 7, () -> {
            loads.incrementAndGet();
            return new byte[] {9};
        });
        assertThat(second).isSameAs(first);
        assertThat(loads).hasValue(1);
        assertThat(context.dataStats().hitCount()).isEqualTo(1);
        assertThat(context.dataStats().missCount()).isEqualTo(1);
        assertThat(context.data(new Object(), 7, () -> new byte[] {4})).containsExactly(4);
    }

    @Test
    void aFailedLoadCachesNothing() throws IOException {
        assertThatThrownBy(() -> context.data(owner, 1, () -> {
            throw new MediumException(1, "does not inflate");
        })).isInstanceOf(MediumException.class).hasMessageContaining("does not inflate");
        assertThat(context.data(owner, 1, () -> new byte[] {5})).containsExactly(5);
    }

    @Test
    void loadsOfOneUnitDoNotWaitForEachOtherAndAllGetTheCachedArray() throws Exception {
        // Both loaders run at once (each waits for the other to start): under a lock held
        // while loading, this would time out.
        CountDownLatch started = new CountDownLatch(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<byte[]> a = pool.submit(() -> context.data(owner, 3, () -> awaitBoth(started, 1)));
            Future<byte[]> b = pool.submit(() -> context.data(owner, 3, () -> awaitBoth(started, 2)));
            byte[] x = a.get(30, TimeUnit.SECONDS);
            byte[] y = b.get(30, TimeUnit.SECONDS);
            assertThat(x).isSameAs(y);
            assertThat(context.data(owner, 3, () -> new byte[] {0})).isSameAs(x);
        } finally {
            pool.shutdownNow();
        }
    }

    private static byte[] awaitBoth(CountDownLatch started, int value) throws IOException {
        started.countDown();
        try {
            if (!started.await(20, TimeUnit.SECONDS)) {
                throw new IOException("the other load never started");
            }
        } catch (InterruptedException e) {
            throw new IOException(e);
        }
        return new byte[] {(byte) value};
    }
}
