package io.lunport.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.ExponentiallyDecayingReservoir;
import com.codahale.metrics.Histogram;
import io.lunport.scsi.LunStatistics;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The hot path rule, measured: what the SCSI layer reports per command allocates nothing.
 * HotSpot counts every byte a thread allocates (TLAB refills included); the control case
 * shows the measurement sees an allocating reservoir.
 */
class LunMetricsAllocationTest {

    private static final int UPDATES = 200_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBy(Runnable loop) {
        long thread = Thread.currentThread().getId();
        loop.run(); // warm up: JIT, LongAdder cells, class loading
        loop.run();
        long before = THREADS.getThreadAllocatedBytes(thread);
        loop.run();
        return THREADS.getThreadAllocatedBytes(thread) - before;
    }

    @Test
    void reportingCommandsAllocatesNothing() {
        LunMetrics metrics = new LunMetrics("iqn.2026-11.io.lunport:t", 0, null);
        LunStatistics statistics = metrics;
        long allocated = allocatedBy(() -> {
            for (int i = 0; i < UPDATES; i++) {
                statistics.commandStarted();
                statistics.read(4096, 50_000 + i);
                statistics.commandEnded(LunStatistics.NO_SENSE_KEY);
                statistics.commandStarted();
                statistics.written(65_536, 80_000 + i);
                statistics.commandEnded(i % 1000 == 0 ? 5 : LunStatistics.NO_SENSE_KEY);
            }
        });
        // Zero per update; a few hundred bytes of slack for the measurement's own bookkeeping.
        assertThat(allocated).as("bytes allocated by %d commands", 2 * UPDATES).isLessThan(1024);
        assertThat(metrics.reads().operations()).isEqualTo(3L * UPDATES);
        assertThat(metrics.writes().bytes.getCount()).isEqualTo(3L * UPDATES * 65_536);
        assertThat(metrics.inFlight()).isZero();
    }

    @Test
    void theDefaultDecayingReservoirWouldAllocatePerUpdate() {
        Histogram decaying = new Histogram(new ExponentiallyDecayingReservoir());
        long allocated = allocatedBy(() -> {
            for (int i = 0; i < UPDATES; i++) {
                decaying.update(50_000 + i);
            }
        });
        assertThat(allocated).as("bytes allocated by %d updates", UPDATES).isGreaterThan((long) UPDATES * 8);
    }
}
