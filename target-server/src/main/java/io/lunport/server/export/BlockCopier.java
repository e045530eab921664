package io.lunport.server.export;

import io.lunport.translation.BlockSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Copies a {@link BlockSource} into a file at the same offsets, with a few chunks in flight:
 * each of {@code workers} threads takes the next chunk from a {@link ChunkCursor}, reads it
 * into its own direct buffer and writes it with one positional write, so while one worker
 * waits for the disk another decodes (decompression is where compressed sources spend their
 * time). Chunks are claimed in offset order, so the file grows nearly sequentially.
 *
 * <p>Zeros are never written when they need not be: runs the source reports as zero or
 * unallocated are not even read, and 4 KiB granules of data that read as zeros are not
 * written. A {@link HoleMode#ALLOCATE} target is first allocated whole without writing
 * ({@link NativeFile#allocate}), so those unwritten runs are allocated all the same; only where
 * that is impossible are its zeros written.
 *
 * <p>Writes go through the page cache, paced by a {@link WriteBehind} per worker, so the
 * device writes while the copy reads and a copy of any size holds only a few chunks there.
 *
 * <p>Memory: {@code workers} read buffers plus one zero buffer, each {@code chunkSize}
 * bytes, allocated once per copy; nothing is allocated per chunk.
 *
 * <p>Threads are never interrupted: an interrupt closes a {@link FileChannel} under every
 * thread using it. A failure or a cancellation stops the workers at their next chunk.
 */
public final class BlockCopier {

    public static final int DEFAULT_CHUNK_SIZE = 4 << 20;
    public static final int DEFAULT_WORKERS = 4;
    /** The unit of zero detection in a sparse copy: a file system block, as qemu-img convert's default -S 4k. */
    static final int ZERO_GRANULE = 4096;

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final int chunkSize;
    private final int workers;

    public BlockCopier(int chunkSize, int workers) {
        if (chunkSize <= 0 || workers <= 0) {
            throw new IllegalArgumentException("chunk size " + chunkSize + ", workers " + workers);
        }
        this.chunkSize = chunkSize;
        this.workers = workers;
    }

    public static BlockCopier defaults() {
        return new BlockCopier(DEFAULT_CHUNK_SIZE, DEFAULT_WORKERS);
    }

    /**
     * Copies all of {@code from} into {@code to}; on return the file is {@code from.size()}
     * bytes long (not yet forced to disk).
     *
     * @throws CopyCancelledException when {@code cancelled} turned true before the copy finished
     * @throws IOException the first read or write failure, naming the offset
     */
    void copy(BlockSource from, CopyTarget to, CopyCounters counters, BooleanSupplier cancelled)
            throws IOException {
        boolean skipZeros = to.holes() == HoleMode.SKIP || (to.fallocate() && to.file().allocate(from.size()));
        ChunkCursor cursor = new ChunkCursor(from, chunkSize, skipZeros, counters);
        ByteBuffer zeros = ByteBuffer.allocateDirect(chunkSize).asReadOnlyBuffer(); // direct memory starts zeroed
        AtomicBoolean stop = new AtomicBoolean();
        int pool = POOLS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "export-" + pool + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        List<Future<?>> running = new ArrayList<>(workers);
        try {
            for (int i = 0; i < workers; i++) {
                running.add(executor.submit(() -> {
                    try {
                        work(from, to, cursor, skipZeros, zeros.duplicate(), counters,
                                () -> stop.get() || cancelled.getAsBoolean());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    } finally {
                        // Whatever ended this worker (done, failed, cancelled) ends the others at their next chunk.
                        stop.set(true);
                    }
                    return null;
                }));
            }
            awaitAll(running);
        } finally {
            executor.shutdown();
        }
        if (cancelled.getAsBoolean()) {
            throw new CopyCancelledException(to.path());
        }
        long size = from.size();
        if (size > 0 && to.channel().size() < size) {
            // The tail was a hole and was not written: one zero byte at the end sets the length over it.
            write(to, ByteBuffer.allocate(1), size - 1);
        }
    }

    private void work(BlockSource from, CopyTarget to, ChunkCursor cursor, boolean skipZeros, ByteBuffer zeros,
                      CopyCounters counters, BooleanSupplier stop) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(chunkSize);
        ChunkCursor.Chunk chunk = new ChunkCursor.Chunk();
        WriteBehind writeBehind = new WriteBehind(to.file());
        while (!stop.getAsBoolean() && cursor.next(chunk)) {
            zeros.clear().limit(chunk.length);
            if (!chunk.data) {
                write(to, zeros, chunk.offset);
                counters.wrote(chunk.length);
            } else {
                buffer.clear().limit(chunk.length);
                from.read(chunk.offset, buffer);
                buffer.flip();
                if (skipZeros) {
                    writeNonZeroRuns(to, buffer, zeros, chunk.offset, counters);
                } else {
                    write(to, buffer, chunk.offset);
                    counters.wrote(chunk.length);
                }
            }
            writeBehind.written(chunk.offset, chunk.length);
        }
        writeBehind.finish();
    }

    /**
     * Writes the runs of {@code buffer} that are not all zeros, {@link #ZERO_GRANULE} by
     * granule, and leaves the rest as they are (holes, or blocks allocated beforehand): how a
     * raw source with zero-filled stretches (which reports everything as data) still exports
     * sparse, and a VHDX block's zero runs cost no write. Moves the buffers' positions and limits;
     * allocates nothing.
     */
    private static void writeNonZeroRuns(CopyTarget to, ByteBuffer buffer, ByteBuffer zeros, long offset,
                                         CopyCounters counters) throws IOException {
        int length = buffer.limit();
        int written = 0;
        int run = -1; // start of the pending non-zero run, or -1
        for (int at = 0; ; at += ZERO_GRANULE) {
            boolean past = at >= length; // one step past the end flushes the last run
            boolean zero = true;
            if (!past) {
                int end = Math.min(length, at + ZERO_GRANULE);
                buffer.limit(end).position(at);
                zero = buffer.mismatch(zeros.clear().limit(end - at)) < 0;
            }
            if (!zero && run < 0) {
                run = at;
            } else if (zero && run >= 0) {
                int end = Math.min(length, at);
                buffer.limit(end).position(run);
                write(to, buffer, offset + run);
                written += end - run;
                run = -1;
            }
            if (past) {
                break;
            }
        }
        counters.wrote(written);
        counters.skipped(length - written); // read as zeros: not written
    }

    private static void write(CopyTarget to, ByteBuffer buffer, long offset) throws IOException {
        FileChannel channel = to.channel();
        long position = offset;
        try {
            while (buffer.hasRemaining()) {
                position += channel.write(buffer, position);
            }
        } catch (IOException e) {
            throw new IOException(to.path() + ": writing at offset " + position + " failed: " + e.getMessage(), e);
        }
    }

    /** Waits for every worker (none may still write when the caller closes the file); rethrows the first failure. */
    private static void awaitAll(List<Future<?>> running) throws IOException {
        Throwable first = null;
        boolean interrupted = false;
        for (Future<?> f : running) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // keep waiting: the workers stop on their own
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause() instanceof UncheckedIOException u ? u.getCause() : e.getCause();
                    if (first == null) {
                        first = cause;
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (first instanceof IOException io) {
            throw io;
        }
        if (first instanceof RuntimeException re) {
            throw re;
        }
        if (first instanceof Error err) {
            throw err;
        }
    }
}
