package io.lunport.server.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * The exported file is the virtual view, byte for byte: a qcow2 made by qemu-img (holes,
 * whole empty VHDX blocks, a size that is no multiple of the block) is exported in-process
 * and compared with {@link VhdxView} read over the same image, and the raw export with the
 * disk itself. Proves the copy engine (chunking, padding written as zeros, workers in
 * parallel) adds, drops and moves nothing.
 */
class ExporterTest {

    private static final int MIB = 1 << 20;
    private static final long SIZE = 150L * MIB + 7 * 512;

    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"vhdx, 512", "vhdx, 4096", "raw, 512"})
    void theExportedFileIsTheViewByteForByte(String format, int sectorSize) throws Exception {
        Path image = qcow2WithHoles();
        Path out = dir.resolve("out." + format);
        ExportRequest request = new ExportRequest(image, null, out, ExportFormat.fromCli(format), sectorSize, false);
        ExportResult result = new Exporter(TranslationContext.defaults(), new BlockCopier(1 << 20, 3),
                new PrintStream(PrintStream.nullOutputStream())).export(request, ExportListener.NONE);

        try (BlockSource disk = new ImageOpener(TranslationContext.defaults()).open(image);
             BlockSource expected = format.equals("vhdx") ? VhdxView.of(disk, VhdxLayoutOptions.defaults(sectorSize)) : disk;
             FileChannel actual = FileChannel.open(out, StandardOpenOption.READ)) {
            assertThat(actual.size()).isEqualTo(expected.size()).isEqualTo(result.fileLength());
            ByteBuffer want = ByteBuffer.allocate(4 * MIB);
            ByteBuffer got = ByteBuffer.allocate(4 * MIB);
            for (long at = 0; at < expected.size(); at += want.capacity()) {
                int n = (int) Math.min(want.capacity(), expected.size() - at);
                want.clear().limit(n);
                expected.read(at, want);
                got.clear().limit(n);
                while (got.hasRemaining() && actual.read(got, at + got.position()) > 0) {
                    // positional read loop
                }
                long mismatch = want.flip().mismatch(got.flip());
                assertThat(mismatch).as("first differing byte at %d + %d", at, mismatch).isEqualTo(-1);
            }
        }
        if (format.equals("vhdx")) {
            // No hole (Windows refuses sparse VHDX files), yet only the data and the structures written:
            // the file was allocated whole first, and the zeros of its blocks were left as allocated.
            assertThat(AllocatedBytes.of(out)).as("bytes allocated").isGreaterThanOrEqualTo(result.fileLength());
            assertThat(result.bytesWritten()).as("bytes written of %d", result.fileLength())
                    .isLessThan(result.fileLength() / 4);
        }
    }

    /** 2 MiB of random data every 48 MiB (VHDX block 2, 64-96 MiB, stays empty), converted by qemu-img. */
    private Path qcow2WithHoles() throws IOException, InterruptedException {
        Path raw = dir.resolve("source.raw");
        Random random = new Random(11);
        byte[] data = new byte[2 * MIB];
        try (RandomAccessFile f = new RandomAccessFile(raw.toFile(), "rw")) {
            f.setLength(SIZE);
            for (long at = 0; at < SIZE; at += 48L * MIB) {
                random.nextBytes(data);
                f.seek(at);
                f.write(data);
            }
        }
        Path image = dir.resolve("source.qcow2");
        Process p = new ProcessBuilder("qemu-img", "convert", "-f", "raw", "-O", "qcow2", raw.toString(), image.toString())
                .inheritIO().start();
        assertThat(p.waitFor()).as("qemu-img convert exit code").isZero();
        return image;
    }
}
