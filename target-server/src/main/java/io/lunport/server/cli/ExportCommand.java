package io.lunport.server.cli;

import io.lunport.server.export.BlockCopier;
import io.lunport.server.export.ExportFormat;
import io.lunport.server.export.ExportListener;
import io.lunport.server.export.ExportRequest;
import io.lunport.server.export.ExportResult;
import io.lunport.server.export.Exporter;
import io.lunport.server.export.ProgressBar;
import io.lunport.translation.TranslationContext;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lunport export IMAGE -o OUT --format vhdx|raw [--overlay FILE] [--force]
 * [--sector-size 512|4096]}: a standalone file of the disk as a LUN serves it. The flags are
 * checked here; {@link Exporter} does the work.
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = {"Writes IMAGE (with an overlay's writes folded in) as a standalone file.",
                "raw: sparse, zero runs stay holes. vhdx: a dynamic VHDX holding only the blocks with data, "
                        + "fully allocated (Windows refuses sparse VHDX files)."})
public final class ExportCommand implements Callable<Integer>, OpensImages {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (any format lunport reads).")
    Path image;

    @Option(names = "--overlay", paramLabel = "FILE", description = "An overlay of IMAGE whose writes to fold in.")
    Path overlay;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "The file to write.")
    Path output;

    @Option(names = "--format", defaultValue = "raw", paramLabel = "raw|vhdx", description = "Output format (default raw).")
    String format;

    @Option(names = "--force", description = "Overwrite OUT when it exists.")
    boolean force;

    @Option(names = "--sector-size", paramLabel = "512|4096",
            description = "Logical sector size of a VHDX output (default 512).")
    Integer sectorSize;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        ExportFormat outputFormat = ExportFormat.fromCli(format);
        if (sectorSize != null && sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("--sector-size " + sectorSize + ": expected 512 or 4096");
        }
        if (sectorSize != null && outputFormat == ExportFormat.RAW) {
            throw new IllegalArgumentException("--sector-size applies to --format vhdx only (a raw file has no sector size)");
        }
        ExportRequest request = new ExportRequest(image, overlay, output, outputFormat,
                sectorSize == null ? 512 : sectorSize, force);
        // A bar redrawn in place only makes sense on a terminal; logs and pipes get the summary alone.
        ExportListener listener = System.console() != null ? new ProgressBar(System.out) : ExportListener.NONE;
        ExportResult result = new Exporter(TranslationContext.defaults(), BlockCopier.defaults(), System.err)
                .export(request, listener);
        System.out.println(result.summary());
        return 0;
    }
}
