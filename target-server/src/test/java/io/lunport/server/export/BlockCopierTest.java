package io.lunport.server.export;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.MediumException;
import io.lunport.translation.SourceInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The copy engine against an in-memory disk whose extents say DATA, ZERO and UNALLOCATED at
 * unaligned offsets, into real files: every byte lands at its offset in both hole modes, runs
 * that are not DATA are never read, zeros are not written (holes in SKIP mode, allocated
 * beforehand in ALLOCATE mode, written only where allocating is impossible), and a failure or
 * a cancellation stops every worker.
 */
class BlockCopierTest {

    private static final int CHUNK = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void everyByteLandsAtItsOffsetAndHolesAreNeverRead() throws IOException {
        Disk disk = Disk.mixed(5 * CHUNK + 12345, 7);
        for (HoleMode mode : HoleMode.values()) {
            Path out = dir.resolve("out-" + mode);
            CopyCounters counters = new CopyCounters(disk.size());
            OutputFile output = OutputFile.create(out, false, List.of());
            new BlockCopier(CHUNK, 3).copy(disk, output.target(mode), counters, output::cancelled);
            assertThat(output.commit()).isTrue();
            checkCopy(disk, out, mode, counters);
        }
    }

    /**
     * The write-behind drops every chunk from the page cache once it is on the device, so an
     * export of any size leaves no trace there; without it, all the written data would still be
     * cached. util-linux's {@code fincore} counts the file's resident pages. The file lives under
     * the module's target directory: @TempDir may be a tmpfs, whose pages are the file itself.
     */
    @Test
    void theWriteBehindLeavesNothingOfTheCopyInThePageCache() throws Exception {
        Disk disk = Disk.mixed(256L * CHUNK, 13);
        Path scratch = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "write-behind");
        Path out = scratch.resolve("out");
        try {
            OutputFile output = OutputFile.create(out, false, List.of());
            CopyCounters counters = new CopyCounters(disk.size());
            new BlockCopier(CHUNK, 3).copy(disk, output.target(HoleMode.ALLOCATE), counters, output::cancelled);
            assertThat(output.commit()).isTrue();
            assertThat(counters.written()).isGreaterThan(4L << 20);

            Process fincore = new ProcessBuilder("fincore", "--bytes", "--noheadings", "--output", "RES", out.toString())
                    .redirectErrorStream(true).start();
            String answer = new String(fincore.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            assertThat(fincore.waitFor()).as("fincore: %s", answer).isZero();
            assertThat(Long.parseLong(answer)).as("bytes of %s in the page cache after %d were written",
                    out, counters.written()).isLessThanOrEqualTo(CHUNK);
            checkCopy(disk, out, HoleMode.ALLOCATE, counters); // reads it: only now
        } finally {
            Files.deleteIfExists(out);
            Files.delete(scratch);
        }
    }

    private static void checkCopy(Disk disk, Path out, HoleMode mode, CopyCounters counters) throws IOException {
        checkCopy(disk, out, mode, counters, disk.nonZeroGranuleBytes());
    }

    private static void checkCopy(Disk disk, Path out, HoleMode mode, CopyCounters counters, long expectedWritten)
            throws IOException {
        assertThat(Files.readAllBytes(out)).as(mode.toString()).isEqualTo(disk.bytes);
        assertThat(disk.readsOutsideData.get()).as("bytes read outside DATA runs (%s)", mode).isZero();
        assertThat(counters.done()).isEqualTo(disk.size());
        assertThat(counters.written()).as("bytes written (%s)", mode).isEqualTo(expectedWritten);
        if (mode == HoleMode.ALLOCATE) {
            assertThat(AllocatedBytes.of(out)).as("bytes allocated to the %d-byte %s", disk.size(), out)
                    .isGreaterThanOrEqualTo(disk.size());
        }
    }

    /**
     * ALLOCATE without writing zeros: the file is allocated first (fallocate), so only the
     * non-zero granules are written and still no block is a hole; where the file system cannot
     * allocate (fallocate off, as on one without it), the zeros are written instead.
     */
    @Test
    void anAllocatedCopyWritesOnlyWhatIsNotZeroYetHoldsNoHole() throws IOException {
        Disk disk = Disk.mixed(40L * CHUNK + 777, 11);
        Path probe = dir.resolve("probe");
        Files.createFile(probe);
        try (NativeFile file = NativeFile.open(probe)) {
            assertThat(file.allocate(1 << 20)).as("fallocate on the test's file system").isTrue();
        }

        for (boolean fallocate : new boolean[] {true, false}) {
            Path out = dir.resolve("allocated-" + fallocate);
            CopyCounters counters = new CopyCounters(disk.size());
            try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                 NativeFile file = NativeFile.open(out)) {
                new BlockCopier(CHUNK, 3).copy(disk, new CopyTarget(channel, file, out, HoleMode.ALLOCATE, fallocate),
                        counters, () -> false);
            }
            checkCopy(disk, out, HoleMode.ALLOCATE, counters, fallocate ? disk.nonZeroGranuleBytes() : disk.size());
        }
        assertThat(disk.nonZeroGranuleBytes()).as("the disk has zero runs to leave out").isLessThan(disk.size() / 2);
    }

    @Test
    void aDiskEndingInAHoleStillGetsItsFullLength() throws IOException {
        Disk disk = new Disk(new byte[3 * CHUNK + 100], new Extents()
                .add(0, 100, Extent.Kind.DATA).add(100, 3L * CHUNK, Extent.Kind.UNALLOCATED).build());
        disk.bytes[7] = 1;
        Path out = dir.resolve("tail-hole");
        copy(new BlockCopier(CHUNK, 2), disk, out, HoleMode.SKIP, new CopyCounters(disk.size()), () -> false);
        assertThat(Files.readAllBytes(out)).isEqualTo(disk.bytes);
    }

    @Test
    void theFirstReadFailureStopsTheCopyAndIsRethrown() throws IOException {
        Disk disk = Disk.mixed(40L * CHUNK, 3);
        disk.failAt = 9L * CHUNK;
        CopyCounters counters = new CopyCounters(disk.size());
        assertThatThrownBy(() -> copy(new BlockCopier(CHUNK, 4), disk, dir.resolve("fails"), HoleMode.ALLOCATE,
                counters, () -> false))
                .isInstanceOf(MediumException.class).hasMessageContaining("offset " + disk.failAt);
        assertThat(counters.done()).as("workers stop at their next chunk").isLessThan(disk.size());
    }

    @Test
    void cancellationStopsTheCopy() throws IOException {
        Disk disk = Disk.mixed(64L * CHUNK, 5);
        CopyCounters counters = new CopyCounters(disk.size());
        AtomicInteger polls = new AtomicInteger();
        assertThatThrownBy(() -> copy(new BlockCopier(CHUNK, 2), disk, dir.resolve("cancelled"), HoleMode.ALLOCATE,
                counters, () -> polls.incrementAndGet() > 6))
                .isInstanceOf(CopyCancelledException.class).hasMessageContaining("interrupted");
        assertThat(counters.done()).isLessThan(disk.size());
    }

    private static void copy(BlockCopier copier, Disk disk, Path out, HoleMode mode, CopyCounters counters,
                             java.util.function.BooleanSupplier cancelled) throws IOException {
        try (FileChannel channel = FileChannel.open(out, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
             NativeFile file = NativeFile.open(out)) {
            copier.copy(disk, new CopyTarget(channel, file, out, mode, true), counters, cancelled);
        }
    }

    /** A disk in memory that counts reads of runs it reports as not holding data. */
    static final class Disk implements BlockSource {
        final byte[] bytes;
        final List<Extent> extents;
        final AtomicLong readsOutsideData = new AtomicLong();
        volatile long failAt = -1;

        Disk(byte[] bytes, List<Extent> extents) {
            this.bytes = bytes;
            this.extents = extents;
        }

        /** Random DATA runs (some holding zero granules), ZERO and UNALLOCATED runs, of unaligned lengths. */
        static Disk mixed(long size, long seed) {
            Random random = new Random(seed);
            byte[] bytes = new byte[(int) size];
            Extents runs = new Extents();
            Extent.Kind[] kinds = Extent.Kind.values();
            for (long at = 0; at < size; ) {
                long length = Math.min(size - at, 1 + random.nextInt(3 * CHUNK));
                Extent.Kind kind = kinds[random.nextInt(kinds.length)];
                if (kind == Extent.Kind.DATA) {
                    byte[] data = new byte[(int) length];
                    random.nextBytes(data);
                    // a zeroed 8 KiB inside the data: a sparse copy must leave at least one granule of it out
                    java.util.Arrays.fill(data, data.length / 2, Math.min(data.length, data.length / 2 + 8192), (byte) 0);
                    System.arraycopy(data, 0, bytes, (int) at, data.length);
                }
                runs.add(at, length, kind);
                at += length;
            }
            return new Disk(bytes, runs.build());
        }

        /** What a SKIP copy writes: the 4 KiB granules (counted from each chunk's start) that are not all zeros. */
        long nonZeroGranuleBytes() {
            long total = 0;
            for (Extent e : extents) {
                if (e.kind() != Extent.Kind.DATA) {
                    continue;
                }
                for (long at = e.offset(); at < e.end(); ) {
                    long chunkEnd = Math.min(e.end(), (at / CHUNK + 1) * CHUNK);
                    for (long g = at; g < chunkEnd; g += BlockCopier.ZERO_GRANULE) {
                        long end = Math.min(chunkEnd, g + BlockCopier.ZERO_GRANULE);
                        boolean zero = true;
                        for (long i = g; i < end && zero; i++) {
                            zero = bytes[(int) i] == 0;
                        }
                        total += zero ? 0 : end - g;
                    }
                    at = chunkEnd;
                }
            }
            return total;
        }

        @Override
        public long size() {
            return bytes.length;
        }

        @Override
        public void read(long offset, ByteBuffer dst) throws IOException {
            int length = dst.remaining();
            if (failAt >= offset && failAt < offset + length) {
                throw new MediumException(failAt, "test disk: bad sector at offset " + failAt);
            }
            for (Extent e : extents) {
                long from = Math.max(offset, e.offset());
                long to = Math.min(offset + length, e.end());
                if (from < to && e.kind() != Extent.Kind.DATA) {
                    readsOutsideData.addAndGet(to - from);
                }
            }
            dst.put(bytes, (int) offset, length);
        }

        @Override
        public List<Extent> extents(long offset, long length) {
            return Extents.within(extents, offset, length);
        }

        @Override
        public byte[] identity() {
            return new byte[0];
        }

        @Override
        public String formatName() {
            return "test";
        }

        @Override
        public SourceInfo describe() {
            return new SourceInfo(null, "test", size(), 0, null, -1, Map.of(), null);
        }

        @Override
        public void close() {
        }
    }
}
