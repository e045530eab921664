package io.lunport.translation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.cache.OffHeapDataCache;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The data cache's rules: decode on a miss outside the cache's locks, copy out of direct memory, allocate nothing. */
class TranslationContextTest {

    private static final int UNIT = 64 * 1024;
    private final TranslationContext context = new TranslationContext(1 << 20, 1 << 20);
    private final Object owner = new Object();
    private final AtomicInteger decodes = new AtomicInteger();

    /** Fills a unit with bytes that name it: byte i of unit u is (u * 31 + i) & 0xff. */
    private final OffHeapDataCache.UnitDecoder pattern = (unit, virtualOffset, out) -> {
        decodes.incrementAndGet();
        int n = out.remaining();
        for (int i = 0; i < n; i++) {
            out.put((byte) (unit * 31 + i));
        }
        return n;
    };

    private byte[] read(Object who, long unit, int offset, int length) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(length);
        assertThat(context.data(who, unit, UNIT, pattern, 0, offset, dst)).isEqualTo(UNIT);
        assertThat(dst.hasRemaining()).isFalse();
        return dst.array();
    }

    private static byte[] expected(long unit, int offset, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) (unit * 31 + offset + i);
        }
        return b;
    }

    @Test
    void aMissDecodesAndCachesAHitDoesNotDecode() throws IOException {
        assertThat(read(owner, 7, 100, 4096)).isEqualTo(expected(7, 100, 4096));
        assertThat(read(owner, 7, 8192, 4096)).isEqualTo(expected(7, 8192, 4096));
        assertThat(decodes).hasValue(1);
        assertThat(context.dataStats().hitCount()).isEqualTo(1);
        assertThat(context.dataStats().missCount()).isEqualTo(1);
        assertThat(context.dataBytes()).isEqualTo(UNIT);
        assertThat(read(new Object(), 7, 0, 16)).isEqualTo(expected(7, 0, 16));
        assertThat(decodes).hasValue(2);
    }

    @Test
    void aFailedDecodeCachesNothing() throws IOException {
        assertThatThrownBy(() -> context.data(owner, 1, UNIT, (u, v, out) -> {
            throw new MediumException(v, "does not inflate");
        }, 5, 0, ByteBuffer.allocate(16))).isInstanceOf(MediumException.class).hasMessageContaining("does not inflate");
        assertThat(read(owner, 1, 0, 16)).isEqualTo(expected(1, 0, 16));
        assertThat(context.dataStats().loadFailureCount()).isEqualTo(1);
    }

    @Test
    void aShortUnitCopiesNothingAndSaysHowLongItIs() throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(4096);
        int length = context.data(owner, 2, UNIT, (u, v, out) -> {
            out.put(new byte[1000]);
            return 1000;
        }, 0, 512, dst);
        assertThat(length).isEqualTo(1000);
        assertThat(dst.position()).isZero();
    }

    @Test
    void aSmallCacheEvictsAndKeepsItsBytesWithinTheBudget() throws IOException {
        TranslationContext small = new TranslationContext(1 << 20, 4 * UNIT);
        for (int round = 0; round < 3; round++) {
            for (long u = 0; u < 16; u++) {
                ByteBuffer dst = ByteBuffer.allocate(100);
                small.data(owner, u, UNIT, pattern, 0, 300, dst);
                assertThat(dst.array()).isEqualTo(expected(u, 300, 100));
            }
        }
        assertThat(small.dataBytes()).isLessThanOrEqualTo(OffHeapDataCache.CHUNK_BYTES);
        assertThat(small.dataStats().evictionCount()).isGreaterThan(0);
        assertThat(small.dataStats().missCount()).isEqualTo(48);
    }

    @Test
    void unitsOfManySizesShareTheCache() throws IOException {
        for (int size : new int[] {512, 4096, 64 * 1024, 2 * 1024 * 1024, 4 * 1024 * 1024}) {
            ByteBuffer dst = ByteBuffer.allocate(16);
            assertThat(context.data(owner, size, size, pattern, 0, size - 16, dst)).isEqualTo(size);
            assertThat(dst.array()).isEqualTo(expected(size, size - 16, 16));
        }
    }

    @Test
    void decodesOfOneUnitDoNotWaitForEachOther() throws Exception {
        // Both decoders run at once (each waits for the other to start): under a lock held
        // while decoding, this would time out.
        CountDownLatch started = new CountDownLatch(2);
        OffHeapDataCache.UnitDecoder both = (unit, virtualOffset, out) -> {
            started.countDown();
            try {
                if (!started.await(20, TimeUnit.SECONDS)) {
                    throw new IOException("the other decode never started");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            return pattern.decode(unit, virtualOffset, out);
        };
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<byte[]> a = pool.submit(() -> readWith(both, 3));
            Future<byte[]> b = pool.submit(() -> readWith(both, 3));
            assertThat(a.get(30, TimeUnit.SECONDS)).isEqualTo(expected(3, 0, 64));
            assertThat(b.get(30, TimeUnit.SECONDS)).isEqualTo(expected(3, 0, 64));
            assertThat(read(owner, 3, 0, 64)).isEqualTo(expected(3, 0, 64));
            assertThat(decodes).hasValue(2);
        } finally {
            pool.shutdownNow();
        }
    }

    private byte[] readWith(OffHeapDataCache.UnitDecoder decoder, long unit) throws IOException {
        ByteBuffer dst = ByteBuffer.allocate(64);
        context.data(owner, unit, UNIT, decoder, 0, 0, dst);
        return dst.array();
    }

    @Test
    void hitsAndMissesAllocateNothing() throws IOException {
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TranslationContext small = new TranslationContext(1 << 20, 16 * UNIT);
        OffHeapDataCache.UnitDecoder cheap = (unit, virtualOffset, out) -> {
            out.putLong(0, unit);
            return out.remaining();
        };
        ByteBuffer dst = ByteBuffer.allocateDirect(4096);
        long thread = Thread.currentThread().getId();
        long allocated = 0;
        for (int pass = 0; pass < 3; pass++) { // two passes warm up (JIT, slabs), the third is measured
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < 200_000; i++) {
                // Four hot units (hits) and a cold cycle of 40 through the other slots (misses, evictions).
                long unit = i % 3 == 0 ? 4 + (i / 3) % 40 : i % 4;
                dst.clear();
                small.data(owner, unit, UNIT, cheap, 0, 0, dst);
                if (dst.getLong(0) != unit) {
                    throw new AssertionError("unit " + unit + " read back " + dst.getLong(0));
                }
            }
            allocated = threads.getThreadAllocatedBytes(thread) - before;
        }
        assertThat(small.dataStats().hitCount()).isGreaterThan(0);
        assertThat(small.dataStats().evictionCount()).isGreaterThan(0);
        assertThat(allocated).as("bytes allocated by 200000 reads").isLessThan(1024);
    }
}
