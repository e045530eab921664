package io.lunport.benchmarks;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * Decode throughput of one image through its {@link BlockSource}, the way {@code qemu-img
 * bench} reads it, so that {@code bench/jmh.sh} can print the two side by side:
 *
 * <ul>
 *   <li>{@link #sequential1M}: 1 MiB reads, in order over the whole disk and around again; the
 *       threads share one cursor, as qemu's requests in flight share its offset;</li>
 *   <li>{@link #random4K}: 4 KiB reads at aligned offsets spread over the whole disk, each
 *       thread on its own seeded sequence.</li>
 * </ul>
 *
 * Reads land in page-aligned direct buffers (qemu aligns its buffers too; the iSCSI layer
 * hands direct buffers). One score is one read: MiB/s is ops/s for 1 MiB reads and
 * ops/s / 256 for 4 KiB reads. The image comes from {@code -p image=PATH}
 * ({@code bench/jmh.sh} makes the images with {@code qemu-img convert}); it is opened once
 * per fork with default caches, and the page cache is warmed by the warm-up iterations.
 *
 * <p>Besides reads per second, each benchmark reports {@code cpuNanos}: CPU nanoseconds (user
 * and kernel) its threads used while measured (JMH sums the counter over the threads and the
 * iterations), so that {@code cpuNanos / (score * iterations * iteration seconds)} is the CPU
 * cost of one read. On a machine shared with other work that cost holds still where throughput
 * swings with the share of the CPU the benchmark gets. It leaves out the JVM's own threads
 * (JIT, GC), which a read path that allocates nothing keeps idle.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DecodeBenchmark {

    static final int LARGE = 1 << 20;
    static final int SMALL = 4096;

    /** The image to read, any format lunport detects. */
    @Param("")
    public String image;

    private BlockSource source;
    private final AtomicLong cursor = new AtomicLong();

    @Setup(Level.Trial)
    public void open() throws IOException {
        if (image.isEmpty() || !Files.isRegularFile(Path.of(image))) {
            throw new IllegalArgumentException("no image: pass -p image=PATH (bench/jmh.sh makes them), got '" + image + "'");
        }
        source = new ImageOpener(TranslationContext.defaults()).open(Path.of(image));
        if (source.size() < LARGE) {
            throw new IllegalArgumentException(image + " is smaller than one 1 MiB read");
        }
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
        source.close();
    }

    /** One thread's buffers and random sequence. */
    @State(Scope.Thread)
    public static class Reader {
        ByteBuffer large;
        ByteBuffer small;
        SplittableRandom random;

        @Setup(Level.Trial)
        public void allocate(ThreadParams thread) {
            large = ByteBuffer.allocateDirect(LARGE + 4096).alignedSlice(4096).limit(LARGE).slice();
            small = ByteBuffer.allocateDirect(SMALL + 4096).alignedSlice(4096).limit(SMALL).slice();
            random = new SplittableRandom(20261127L + thread.getThreadIndex());
        }
    }

    /** The CPU time of one benchmark thread in each measured iteration (JMH sums the threads). */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.EVENTS)
    public static class CpuTime {
        private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

        /** CPU nanoseconds of this thread in the iteration; JMH sums the threads. */
        public long cpuNanos;
        private long start;

        @Setup(Level.Iteration)
        public void start() {
            cpuNanos = 0;
            start = THREADS.getCurrentThreadCpuTime();
        }

        @TearDown(Level.Iteration)
        public void stop() {
            cpuNanos = THREADS.getCurrentThreadCpuTime() - start;
        }
    }

    @Benchmark
    public ByteBuffer sequential1M(Reader reader, CpuTime cpu) throws IOException {
        long blocks = source.size() / LARGE;
        long offset = Math.floorMod(cursor.getAndIncrement(), blocks) * LARGE;
        ByteBuffer buf = reader.large.clear();
        source.read(offset, buf);
        return buf;
    }

    @Benchmark
    public ByteBuffer random4K(Reader reader, CpuTime cpu) throws IOException {
        long offset = reader.random.nextLong(source.size() / SMALL) * SMALL;
        ByteBuffer buf = reader.small.clear();
        source.read(offset, buf);
        return buf;
    }
}
