package io.lunport.server.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Histogram;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.SlidingWindowReservoir;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.LunStatistics;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/**
 * The I/O metrics of one LUN, kept in Dropwizard metrics (so JMX shows them) and read by
 * {@link LunportCollector} for Prometheus. The SCSI layer reports into it through
 * {@link LunStatistics}; it knows nothing of either export.
 *
 * <p>Hot path: every update is a {@link LongAdder} add or a {@link SlidingWindowReservoir}
 * store, neither of which allocates (LongAdder allocates its cells once, on first contention).
 * The latency histograms deliberately do not use Dropwizard's default exponentially decaying
 * reservoir, which allocates a sample object on every update. A sliding window keeps the
 * last {@value #LATENCY_WINDOW} latencies in a fixed {@code long[]}: percentiles then describe
 * the most recent operations, not a time span, which is what an operator looking at a busy
 * LUN wants; the price is a monitor held for one array store per update.
 *
 * <p>Memory cost: two windows of {@value #LATENCY_WINDOW} longs (16 KiB) per LUN.
 */
public final class LunMetrics implements LunStatistics {

    static final int LATENCY_WINDOW = 1024;

    /** Sense key names, SPC-4 table 52; the index is the key. */
    static final String[] SENSE_KEYS = {
        "NO_SENSE", "RECOVERED_ERROR", "NOT_READY", "MEDIUM_ERROR", "HARDWARE_ERROR", "ILLEGAL_REQUEST",
        "UNIT_ATTENTION", "DATA_PROTECT", "BLANK_CHECK", "VENDOR_SPECIFIC", "COPY_ABORTED", "ABORTED_COMMAND",
        "RESERVED_0C", "VOLUME_OVERFLOW", "MISCOMPARE", "COMPLETED",
    };

    private final String target;
    private final int lun;
    private final Counter inFlight = new Counter();
    private final Counter commands = new Counter();
    private final Direction reads = new Direction();
    private final Direction writes = new Direction();
    private final Counter[] errorsBySenseKey = new Counter[SENSE_KEYS.length];
    private final LongSupplier overlayBytes;

    /** Operations, bytes and latency of one direction. */
    static final class Direction {
        final Counter bytes = new Counter();
        final Histogram latencyNanos = new Histogram(new SlidingWindowReservoir(LATENCY_WINDOW));
        final LongAdder latencySumNanos = new LongAdder();

        void record(long byteCount, long nanos) {
            bytes.inc(byteCount);
            latencyNanos.update(nanos);
            latencySumNanos.add(nanos);
        }

        /** Completed operations: the histogram counts every update. */
        long operations() {
            return latencyNanos.getCount();
        }
    }

    /**
     * @param overlayBytes bytes the LUN's overlay stores, or null when it has none; read at
     *                     scrape time only
     */
    public LunMetrics(String target, int lun, LongSupplier overlayBytes) {
        this.target = target;
        this.lun = lun;
        this.overlayBytes = overlayBytes;
        for (int key = 0; key < errorsBySenseKey.length; key++) {
            errorsBySenseKey[key] = new Counter();
        }
    }

    /** Metrics for {@code unit}, attached to it so that the command set reports into them. */
    public static LunMetrics attach(String target, int lun, LogicalUnit unit, LongSupplier overlayBytes) {
        LunMetrics metrics = new LunMetrics(target, lun, overlayBytes);
        unit.statistics(metrics);
        return metrics;
    }

    /** Registers every metric under {@code lunport.lun.TARGET.LUN.*}, for JMX. */
    void registerIn(MetricRegistry registry) {
        metricsByName().forEach(registry::register);
    }

    /** Withdraws what {@link #registerIn} registered (a reload took the LUN away). */
    void removeFrom(MetricRegistry registry) {
        metricsByName().keySet().forEach(registry::remove);
    }

    private Map<String, Metric> metricsByName() {
        String prefix = MetricRegistry.name("lunport.lun", target, Integer.toString(lun));
        Map<String, Metric> metrics = new LinkedHashMap<>();
        metrics.put(prefix + ".commands_in_flight", inFlight);
        metrics.put(prefix + ".commands", commands);
        metrics.put(prefix + ".read_bytes", reads.bytes);
        metrics.put(prefix + ".read_latency_nanos", reads.latencyNanos);
        metrics.put(prefix + ".write_bytes", writes.bytes);
        metrics.put(prefix + ".write_latency_nanos", writes.latencyNanos);
        for (int key = 0; key < SENSE_KEYS.length; key++) {
            metrics.put(prefix + ".errors." + SENSE_KEYS[key], errorsBySenseKey[key]);
        }
        if (overlayBytes != null) {
            metrics.put(prefix + ".overlay_bytes", (Gauge<Long>) overlayBytes::getAsLong);
        }
        return metrics;
    }

    @Override
    public void commandStarted() {
        inFlight.inc();
        commands.inc();
    }

    @Override
    public void commandEnded(int senseKey) {
        inFlight.dec();
        if (senseKey >= 0) {
            errorsBySenseKey[senseKey & 0x0F].inc();
        }
    }

    @Override
    public void read(long bytes, long nanos) {
        reads.record(bytes, nanos);
    }

    @Override
    public void written(long bytes, long nanos) {
        writes.record(bytes, nanos);
    }

    public String target() {
        return target;
    }

    public int lun() {
        return lun;
    }

    long inFlight() {
        return inFlight.getCount();
    }

    long commands() {
        return commands.getCount();
    }

    Direction reads() {
        return reads;
    }

    Direction writes() {
        return writes;
    }

    long errors(int senseKey) {
        return errorsBySenseKey[senseKey].getCount();
    }

    /** Bytes the overlay stores, or -1 when the LUN has no overlay. */
    long overlayBytes() {
        return overlayBytes == null ? -1 : overlayBytes.getAsLong();
    }
}
