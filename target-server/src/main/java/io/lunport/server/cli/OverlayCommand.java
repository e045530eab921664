package io.lunport.server.cli;

import io.lunport.overlay.OverlayFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code lunport overlay info|reset FILE}: look at or discard the writes a LUN took. */
@Command(name = "overlay", mixinStandardHelpOptions = true,
        description = "Looks at or discards an overlay, the file that holds a LUN's writes.",
        subcommands = {OverlayCommand.Info.class, OverlayCommand.Reset.class})
public final class OverlayCommand {

    @Command(name = "info", mixinStandardHelpOptions = true,
            description = "The image an overlay belongs to, its grain size, grains present and zeroed, bytes used.")
    static final class Info implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "The overlay file (STATE_DIR/NAME.overlay).")
        Path file;

        @Mixin
        DebugOption debug;

        @Override
        public Integer call() throws Exception {
            OverlayFiles.Info info = OverlayFiles.info(file);
            System.out.println("overlay:        " + info.file());
            System.out.println("image:          " + info.basePath() + " (" + info.baseFormat() + ")");
            System.out.println("image identity: " + info.baseIdentity());
            System.out.println("virtual size:   " + info.virtualSize());
            System.out.println("grain size:     " + info.grainSize());
            System.out.println("grains:         " + info.grains());
            System.out.println("grains present: " + info.grainsPresent());
            System.out.println("grains zero:    " + info.grainsZero());
            System.out.println("bytes used:     " + info.bytesUsed());
            System.out.println("file length:    " + info.fileLength());
            System.out.println("in use:         " + (info.inUse() ? "yes (attached by a server; its newest writes may not be counted)" : "no"));
            return 0;
        }
    }

    @Command(name = "reset", mixinStandardHelpOptions = true,
            description = "Discards every write in an overlay; the LUN reads as its image again. Refused while served.")
    static final class Reset implements Callable<Integer> {

        @Parameters(index = "0", paramLabel = "FILE", description = "The overlay file (STATE_DIR/NAME.overlay).")
        Path file;

        @Mixin
        DebugOption debug;

        @Override
        public Integer call() throws Exception {
            OverlayFiles.reset(file);
            System.out.println("lunport: " + file + " reset: every write discarded");
            return 0;
        }
    }
}
