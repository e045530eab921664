package io.lunport.server.cli;

import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lunport export IMAGE [--overlay FILE] -o OUT --format raw}: a standalone raw file of
 * the image as a LUN serves it, with an overlay's writes folded in. Runs that read as zeros
 * without storage are left as holes. VHDX output comes with the VHDX issue.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Writes IMAGE (with an overlay's writes folded in) as a standalone file.")
public final class ExportCommand implements Callable<Integer> {

    private static final int BUFFER = 1 << 20;
    private static final long EXTENT_WINDOW = 1L << 30;

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (any format lunport reads).")
    Path image;

    @Option(names = "--overlay", paramLabel = "FILE", description = "An overlay of IMAGE whose writes to fold in.")
    Path overlay;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The file to write.")
    Path output;

    @Option(names = "--format", defaultValue = "raw", description = "Output format: raw (vhdx comes later).")
    String format;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        if (!format.equals("raw")) {
            throw new IllegalArgumentException("--format " + format + ": only raw is supported so far");
        }
        if (Files.exists(output) && Files.exists(image) && Files.isSameFile(output, image)) {
            throw new IllegalArgumentException("-o " + output + " is the image itself");
        }
        BlockSource source = new ImageOpener(TranslationContext.defaults()).open(image);
        BlockSource disk = source;
        if (overlay != null) {
            try {
                disk = OverlayBlockDevice.openReadOnly(source, overlay);
            } catch (IOException | RuntimeException e) {
                source.close();
                throw e;
            }
        }
        try (BlockSource in = disk;
             FileChannel out = FileChannel.open(output, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            copy(in, out, System.console() != null);
            out.force(true);
        }
        return 0;
    }

    static void copy(BlockSource in, FileChannel out, boolean progress) throws IOException {
        long size = in.size();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER);
        int shown = -1;
        for (long window = 0; window < size; window += EXTENT_WINDOW) {
            for (Extent extent : in.extents(window, Math.min(EXTENT_WINDOW, size - window))) {
                if (extent.kind() != Extent.Kind.DATA) {
                    continue; // reads as zeros: a hole in the output
                }
                for (long at = extent.offset(); at < extent.end(); ) {
                    int n = (int) Math.min(BUFFER, extent.end() - at);
                    buffer.clear().limit(n);
                    in.read(at, buffer);
                    buffer.flip();
                    long position = at;
                    while (buffer.hasRemaining()) {
                        position += out.write(buffer, position);
                    }
                    at += n;
                    int percent = (int) (at * 100 / size);
                    if (progress && percent != shown) {
                        shown = percent;
                        System.out.print("\rexport: " + percent + "%");
                        System.out.flush();
                    }
                }
            }
        }
        if (out.size() < size) {
            // The last byte was not written, so it reads as zero: writing it sets the length over a hole.
            out.write(ByteBuffer.allocate(1), size - 1);
        }
        if (progress) {
            System.out.println("\rexport: 100%");
        }
    }

}
