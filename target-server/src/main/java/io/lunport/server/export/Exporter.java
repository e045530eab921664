package io.lunport.server.export;

import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one export: opens the image (and its overlay), lays out the output format's bytes,
 * copies them into a new file and forces it to disk. A failed or interrupted export removes
 * what it wrote; the image, its chain and the overlay are only ever read.
 */
public final class Exporter {

    private final TranslationContext context;
    private final BlockCopier copier;
    private final PrintStream messages;

    /**
     * @param messages where a shutdown during the export reports the removed file (stderr)
     */
    public Exporter(TranslationContext context, BlockCopier copier, PrintStream messages) {
        this.context = context;
        this.copier = copier;
        this.messages = messages;
    }

    public ExportResult export(ExportRequest request, ExportListener listener) throws IOException {
        long start = System.nanoTime();
        BlockSource disk = open(request);
        BlockSource bytes;
        List<Path> inputs;
        try {
            inputs = inputs(disk, request);
            bytes = request.format().fileBytes(disk, request.logicalSectorSize());
        } catch (IOException | RuntimeException e) {
            disk.close();
            throw e;
        }
        try (bytes) { // owns the disk
            return write(bytes, request, inputs, listener, start);
        }
    }

    private ExportResult write(BlockSource bytes, ExportRequest request, List<Path> inputs, ExportListener listener,
                               long start) throws IOException {
        OutputFile output = OutputFile.create(request.output(), request.force(), inputs);
        CopyCounters counters = new CopyCounters(bytes.size());
        try (InterruptCleanup interrupt = InterruptCleanup.install(output, messages)) {
            listener.started(counters);
            try {
                copier.copy(bytes, output.target(request.format().holes()), counters,
                        output::cancelled);
                if (!output.commit()) {
                    throw new CopyCancelledException(output.path());
                }
            } catch (IOException e) {
                String fate = output.discard();
                throw new IOException(e.getMessage() + " (" + fate + ")", e);
            } catch (RuntimeException | Error e) {
                output.discard();
                throw e;
            } finally {
                listener.finished();
            }
        }
        return new ExportResult(output.path(), bytes.size(), counters.written(), System.nanoTime() - start);
    }

    private BlockSource open(ExportRequest request) throws IOException {
        BlockSource source = new ImageOpener(context).open(request.image());
        if (request.overlay() == null) {
            return source;
        }
        try {
            return OverlayBlockDevice.openReadOnly(source, request.overlay());
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }

    /** Every file the export reads (image, backing files, overlay): none of them may be the output. */
    private static List<Path> inputs(BlockSource disk, ExportRequest request) throws IOException {
        List<Path> inputs = new ArrayList<>(List.of(request.image()));
        for (SourceInfo layer = disk.describe(); layer != null; layer = layer.backing()) {
            if (layer.file() != null) {
                inputs.add(layer.file());
            }
        }
        if (request.overlay() != null) {
            inputs.add(request.overlay());
        }
        return inputs;
    }
}
