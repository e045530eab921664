package io.lunport.server.export;

import io.lunport.translation.BlockSource;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.util.Arrays;
import java.util.Locale;

/** The kinds of file {@code lunport export} writes, and the bytes each one is made of. */
public enum ExportFormat {

    /**
     * The virtual disk's bytes as they are. Sparse: runs that read as zeros are not written
     * (as {@code qemu-img convert -O raw} does), so a mostly empty disk exports quickly and
     * takes only its data on disk; every tool that reads raw files handles the holes.
     */
    RAW(HoleMode.SKIP) {
        @Override
        public BlockSource fileBytes(BlockSource disk, int logicalSectorSize) {
            return disk;
        }
    },

    /**
     * A dynamic VHDX ({@link VhdxView}: 32 MiB blocks, only the blocks holding data stored),
     * allocated in full, padding included: Windows refuses to attach a sparse VHDX file. The
     * zero runs inside stored blocks are allocated, not written ({@link ExportedVhdx}).
     */
    VHDX(HoleMode.ALLOCATE) {
        @Override
        public BlockSource fileBytes(BlockSource disk, int logicalSectorSize) throws IOException {
            return new ExportedVhdx(VhdxView.of(disk, VhdxLayoutOptions.defaults(logicalSectorSize)));
        }
    };

    private final HoleMode holes;

    ExportFormat(HoleMode holes) {
        this.holes = holes;
    }

    /**
     * The bytes of the output file for {@code disk}, as a source the copy reads from start to
     * end. The result owns {@code disk}: closing it closes the disk.
     */
    public abstract BlockSource fileBytes(BlockSource disk, int logicalSectorSize) throws IOException;

    public HoleMode holes() {
        return holes;
    }

    /** The name on the command line ({@code --format raw}). */
    public String cliName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @throws IllegalArgumentException naming the flag and the accepted values */
    public static ExportFormat fromCli(String name) {
        for (ExportFormat f : values()) {
            if (f.cliName().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("--format " + name + ": expected one of "
                + Arrays.stream(values()).map(ExportFormat::cliName).toList());
    }
}
