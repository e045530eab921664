package io.lunport.translation.qcow2;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Decode throughput of a reader, for {@code bench/decode.sh} (which runs {@code qemu-img bench}
 * on the same image for the ratio). Not a unit test: timing belongs in the harness.
 *
 * <pre>java ... DecodeBench IMAGE BLOCK_BYTES DEPTH COUNT [random]</pre>
 *
 * Reads {@code COUNT} blocks of {@code BLOCK_BYTES} with {@code DEPTH} threads in flight,
 * sequentially (wrapping at the end of the disk) or at random aligned offsets, into direct
 * buffers as the iSCSI layer would, and prints {@code seconds=S cpu=C bytes=B MiB/s=R} (C: the
 * process's CPU seconds, the fairer number on a busy machine).
 * The first pass is a warm-up (JIT, page cache), the second is measured.
 */
public final class DecodeBench {

    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int block = Integer.parseInt(args[1]);
        int depth = Integer.parseInt(args[2]);
        long count = Long.parseLong(args[3]);
        boolean random = args.length > 4 && args[4].equals("random");
        try (BlockSource source = new ImageOpener(TranslationContext.defaults()).open(image)) {
            run(source, block, depth, count, random);
            com.sun.management.OperatingSystemMXBean os = (com.sun.management.OperatingSystemMXBean)
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean();
            long cpu0 = os.getProcessCpuTime();
            long start = System.nanoTime();
            run(source, block, depth, count, random);
            double seconds = (System.nanoTime() - start) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            long bytes = count * block;
            System.out.printf("seconds=%.3f cpu=%.3f bytes=%d MiB/s=%.1f%n", seconds, cpu, bytes, bytes / seconds / (1 << 20));
        }
    }

    private static void run(BlockSource source, int block, int depth, long count, boolean random) throws Exception {
        long blocks = source.size() / block;
        AtomicLong next = new AtomicLong();
        ExecutorService pool = Executors.newFixedThreadPool(depth);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < depth; t++) {
                int seed = t;
                futures.add(pool.submit(() -> {
                    ByteBuffer buf = ByteBuffer.allocateDirect(block);
                    Random rnd = new Random(seed);
                    for (long i; (i = next.getAndIncrement()) < count; ) {
                        long b = random ? Math.floorMod(rnd.nextLong(), blocks) : i % blocks;
                        buf.clear();
                        source.read(b * block, buf);
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
