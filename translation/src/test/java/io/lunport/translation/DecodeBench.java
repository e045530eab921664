package io.lunport.translation;

import java.lang.management.ManagementFactory;
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
 * Decode throughput of any image format through its {@link BlockSource}, for
 * {@code bench/formats.sh} (which runs {@code qemu-img bench} on the same image for the
 * ratio). Not a unit test: timing belongs in the harness, and surefire never runs a main.
 *
 * <pre>java ... io.lunport.translation.DecodeBench IMAGE SPEC...
 *   SPEC = BLOCK_BYTES:DEPTH:COUNT[:random]</pre>
 *
 * For each spec, reads {@code COUNT} blocks of {@code BLOCK_BYTES} with {@code DEPTH} threads
 * in flight, sequentially from offset 0 (wrapping at the end of the disk) or at random aligned
 * offsets, into direct buffers as the iSCSI layer would, and prints one line
 * {@code spec=SPEC seconds=S cpu=C bytes=B MiB/s=R iops=I} (C: the process's CPU seconds, the
 * fairer number on a busy machine). The first pass of each spec is a warm-up (JIT, page cache,
 * caches), the second is measured. One image is opened once, with default caches.
 */
public final class DecodeBench {

    private DecodeBench() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: DecodeBench IMAGE BLOCK_BYTES:DEPTH:COUNT[:random]...");
            System.exit(2);
        }
        Path image = Path.of(args[0]);
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (BlockSource source = new ImageOpener(TranslationContext.defaults()).open(image)) {
            for (int a = 1; a < args.length; a++) {
                String[] f = args[a].split(":");
                int block = Integer.parseInt(f[0]);
                int depth = Integer.parseInt(f[1]);
                long count = Long.parseLong(f[2]);
                boolean random = f.length > 3 && f[3].equals("random");
                run(source, block, depth, count, random);
                long cpu0 = os.getProcessCpuTime();
                long start = System.nanoTime();
                run(source, block, depth, count, random);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                long bytes = count * block;
                System.out.printf("spec=%s seconds=%.3f cpu=%.3f bytes=%d MiB/s=%.1f iops=%.0f%n",
                        args[a], seconds, cpu, bytes, bytes / seconds / (1 << 20), count / seconds);
            }
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
