package io.lunport.translation;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.blockmap.ImageTests;
import io.lunport.translation.blockmap.ImageTests.MapEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A raw file's extents come from the file system's holes: sparse files made with
 * {@code truncate} and {@code dd conv=notrunc}, checked against {@code qemu-img map -f raw}
 * (qemu's raw driver asks the file system the same question, through its own code).
 */
class RawBlockSourceHolesTest {

    private static final long MIB = 1 << 20;

    @TempDir
    Path dir;

    /** Data at 1 MiB (64 KiB), 5 MiB (1 MiB) and the last 4 KiB of a 16 MiB file. */
    private static Path sparse(Path dir) throws IOException, InterruptedException {
        Path file = dir.resolve("sparse.raw");
        ImageTests.run("truncate", "-s", "16M", file.toString());
        writeAt(file, 1 * MIB, 64 * 1024);
        writeAt(file, 5 * MIB, MIB);
        writeAt(file, 16 * MIB - 4096, 4096);
        return file;
    }

    private static void writeAt(Path file, long offset, long length) throws IOException, InterruptedException {
        ImageTests.run("dd", "if=/dev/urandom", "of=" + file, "bs=4096", "seek=" + offset / 4096,
                "count=" + length / 4096, "conv=notrunc,fsync", "status=none");
    }

    @Test
    void sparseFileOnTheTestDirectoryMatchesQemuImgMap() throws Exception {
        assertHolesMatchQemu(sparse(dir));
    }

    @Test
    void sparseFileOnTmpfsMatchesQemuImgMap() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm),
                "no writable /dev/shm");
        Path sub = Files.createTempDirectory(shm, "lunport-holes");
        try {
            assertHolesMatchQemu(sparse(sub));
        } finally {
            Files.deleteIfExists(sub.resolve("sparse.raw"));
            Files.delete(sub);
        }
    }

    private static void assertHolesMatchQemu(Path file) throws Exception {
        try (RawBlockSource source = RawBlockSource.open(file)) {
            List<Extent> ours = source.extents(0, source.size());
            assertThat(dataRuns(ours)).as("DATA runs of %s", file).isEqualTo(qemuDataRuns(file));
            assertThat(dataRuns(ours)).containsExactly(
                    new Run(1 * MIB, 64 * 1024), new Run(5 * MIB, MIB), new Run(16 * MIB - 4096, 4096));
            assertThat(ours).allMatch(e -> e.kind() != Extent.Kind.ZERO);
            ImageTests.assertExtentsAgree(source, ImageTests.qemuMap(file, "raw"), file);
        }
    }

    @Test
    void aSubRangeIsCutAtItsEnds() throws Exception {
        try (RawBlockSource source = RawBlockSource.open(sparse(dir))) {
            // From inside the first hole to inside the second data run.
            assertThat(source.extents(512 * 1024, 5 * MIB)).containsExactly(
                    new Extent(512 * 1024, 512 * 1024, Extent.Kind.UNALLOCATED),
                    new Extent(MIB, 64 * 1024, Extent.Kind.DATA),
                    new Extent(MIB + 64 * 1024, 4 * MIB - 64 * 1024, Extent.Kind.UNALLOCATED),
                    new Extent(5 * MIB, 512 * 1024, Extent.Kind.DATA));
            // Entirely inside a hole, and entirely inside data.
            assertThat(source.extents(8 * MIB, MIB)).containsExactly(new Extent(8 * MIB, MIB, Extent.Kind.UNALLOCATED));
            assertThat(source.extents(5 * MIB + 4096, 8192)).containsExactly(
                    new Extent(5 * MIB + 4096, 8192, Extent.Kind.DATA));
        }
    }

    @Test
    void aFullyAllocatedFileIsAllData() throws Exception {
        Path file = dir.resolve("full.raw");
        ImageTests.run("dd", "if=/dev/urandom", "of=" + file, "bs=1M", "count=4", "status=none");
        try (RawBlockSource source = RawBlockSource.open(file)) {
            assertThat(source.extents(0, source.size())).containsExactly(new Extent(0, 4 * MIB, Extent.Kind.DATA));
            assertThat(qemuDataRuns(file)).containsExactly(new Run(0, 4 * MIB));
        }
    }

    @Test
    void aFileThatIsOneHoleIsAllUnallocated() throws Exception {
        Path file = dir.resolve("empty.raw");
        ImageTests.run("truncate", "-s", "3M", file.toString());
        try (RawBlockSource source = RawBlockSource.open(file)) {
            assertThat(source.extents(0, source.size())).containsExactly(
                    new Extent(0, 3 * MIB, Extent.Kind.UNALLOCATED));
            assertThat(qemuDataRuns(file)).isEmpty();
        }
    }

    /** A file grows into its holes while open: extents are asked live, not remembered. */
    @Test
    void writesIntoAHoleShowAsData() throws Exception {
        Path file = sparse(dir);
        try (RawBlockSource source = RawBlockSource.open(file)) {
            assertThat(source.extents(8 * MIB, 4096)).containsExactly(new Extent(8 * MIB, 4096, Extent.Kind.UNALLOCATED));
            writeAt(file, 8 * MIB, 4096);
            assertThat(source.extents(8 * MIB, 4096)).containsExactly(new Extent(8 * MIB, 4096, Extent.Kind.DATA));
        }
    }

    /**
     * procfs files answer SEEK_HOLE with EINVAL: the fallback reports everything as DATA, as
     * a file system without SEEK_DATA support would get.
     */
    @Test
    void aFileSystemWithoutSeekHoleFallsBackToAllData() {
        Path proc = Path.of("/proc/self/status");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isReadable(proc), "no procfs");
        try (FileHoles holes = FileHoles.open(proc)) {
            assertThat(holes.finds()).isFalse();
            assertThat(holes.extents(0, 4096)).containsExactly(new Extent(0, 4096, Extent.Kind.DATA));
        }
    }

    @Test
    void afterCloseEverythingIsData() throws Exception {
        FileHoles holes = FileHoles.open(sparse(dir));
        assertThat(holes.finds()).isTrue();
        holes.close();
        assertThat(holes.finds()).isFalse();
        assertThat(holes.extents(8 * MIB, 4096)).containsExactly(new Extent(8 * MIB, 4096, Extent.Kind.DATA));
    }

    /** A run of data, without a kind: how both sides' DATA runs are compared. */
    private record Run(long offset, long length) {
    }

    /** The DATA runs, adjacent runs merged. */
    private static List<Run> dataRuns(List<Extent> extents) {
        List<Run> runs = new ArrayList<>();
        for (Extent e : extents) {
            if (e.kind() == Extent.Kind.DATA) {
                addRun(runs, e.offset(), e.length());
            }
        }
        return runs;
    }

    private static List<Run> qemuDataRuns(Path file) throws Exception {
        List<Run> runs = new ArrayList<>();
        for (MapEntry entry : ImageTests.qemuMap(file, "raw")) {
            if (entry.data()) {
                addRun(runs, entry.start(), entry.length());
            }
        }
        return runs;
    }

    private static void addRun(List<Run> runs, long offset, long length) {
        if (!runs.isEmpty()) {
            Run last = runs.get(runs.size() - 1);
            if (last.offset() + last.length() == offset) {
                runs.set(runs.size() - 1, new Run(last.offset(), last.length() + length));
                return;
            }
        }
        runs.add(new Run(offset, length));
    }
}
