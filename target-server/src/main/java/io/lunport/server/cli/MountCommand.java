package io.lunport.server.cli;

import io.lunport.pluginfs.ImageSpec;
import io.lunport.pluginfs.PluginMount;
import io.lunport.pluginfs.VhdxViews;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

/**
 * {@code lunport mount DIR}: shows every image as a writable {@code NAME.vhdx} in a FUSE mount
 * at DIR until SIGTERM or SIGINT, then unmounts and flushes.
 */
@Command(name = "mount", mixinStandardHelpOptions = true,
        description = {"Mounts a FUSE file system at DIR with one full, writable NAME.vhdx per image "
                + "(writes go to STATE_DIR/NAME.vhdx.overlay; the image never changes).",
                "Needs /dev/fuse and libfuse2 (Debian: libfuse2, fuse3 for fusermount). Stop with Ctrl-C or SIGTERM; "
                        + "after a crash, fusermount -u DIR removes the dead mount."})
public final class MountCommand implements Callable<Integer>, OpensImages {

    @Parameters(index = "0", paramLabel = "DIR", description = "An empty directory to mount at.")
    Path dir;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A YAML configuration file (docs/configuration.md): each LUN of its targets shows as a file "
                    + "named after the target's alias or IQN (docs/pluginfs.md).")
    Path config;

    @Option(names = "--lun", paramLabel = "NAME=IMAGE",
            description = "An image (any format lunport reads, or its plugin stub) to show as NAME.vhdx. Repeatable.")
    List<String> luns = new ArrayList<>();

    @Option(names = "--state-dir", paramLabel = "DIR",
            description = "Where each file's overlay, length and metadata cache live. Replaces the file's stateDir. "
                    + "Default ./lunport-state.")
    Path stateDir;

    @Mixin
    SectorSizeOption sectorSize;

    @Mixin
    DebugOption debug;

    @Override
    public Integer call() throws Exception {
        int sectorSize = this.sectorSize.value();
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new IllegalArgumentException("DIR " + dir + " is not a directory (create an empty one to mount at)");
        }
        MountConfiguration.Assembled assembled = new MountConfiguration(config, luns, stateDir).assemble(System::getenv);
        assembled.warnings().forEach(w -> System.err.println(w));
        List<ImageSpec> images = assembled.images();
        CountDownLatch stop = new CountDownLatch(1);
        Signal.handle(new Signal("TERM"), s -> stop.countDown());
        Signal.handle(new Signal("INT"), s -> stop.countDown());
        VhdxViews views = new VhdxViews(new ImageOpener(TranslationContext.defaults()), sectorSize);
        try (PluginMount mount = PluginMount.mount(dir, images, assembled.stateDir(), views)) {
            System.out.println("lunport: mounted " + images.size() + " file(s) at " + mount.dir());
            System.out.flush();
            stop.await();
        }
        return 0;
    }
}
