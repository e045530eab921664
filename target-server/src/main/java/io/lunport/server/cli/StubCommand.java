package io.lunport.server.cli;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.vhdx.stub.StubWriter;
import io.lunport.translation.vhdx.synth.VhdxFileLayout;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code lunport stub IMAGE -o FILE.vhdx [--force] [--sector-size 512|4096]}: writes the
 * plugin VHDX of an image: real VHDX structures and a pointer to the image, the payload left
 * as holes (see {@link StubWriter}).
 */
@Command(name = "stub", mixinStandardHelpOptions = true,
        description = "Writes a small VHDX plugin file (a stub) that points at IMAGE; lunport serves and exports it as the image.")
public final class StubCommand implements Callable<Integer>, OpensImages {

    @Parameters(index = "0", paramLabel = "IMAGE", description = "The image (any format lunport reads).")
    Path image;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "FILE.vhdx", description = "The stub to write.")
    Path output;

    @Option(names = "--force", description = "Replace FILE.vhdx if it exists.")
    boolean force;

    @Mixin
    SectorSizeOption sectorSize;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        int sectorSize = this.sectorSize.value();
        if (Files.exists(output) && Files.exists(image) && Files.isSameFile(output, image)) {
            throw new IllegalArgumentException("-o " + output + " is the image itself");
        }
        if (Files.exists(output) && !force) {
            throw new IllegalArgumentException("-o " + output + " exists; add --force to replace it");
        }
        long start = System.nanoTime();
        StubWriter.Result result;
        try (BlockSource source = new ImageOpener(TranslationContext.defaults()).open(image)) {
            result = StubWriter.write(source, image, output, VhdxLayoutOptions.defaults(sectorSize), force);
        }
        VhdxFileLayout layout = result.layout();
        System.out.printf("lunport: wrote stub %s for %s: %d-byte disk, %d of %d blocks in the image, file %d bytes, %.3f s%n",
                output, image, layout.virtualSize(), layout.payloadBlocks(), layout.totalBlocks(), layout.fileLength(),
                (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
