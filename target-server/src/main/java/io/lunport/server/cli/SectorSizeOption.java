package io.lunport.server.cli;

import picocli.CommandLine.Option;

/** {@code --sector-size 512|4096}: the logical sector size a generated VHDX announces (stub, mount). */
final class SectorSizeOption {

    @Option(names = "--sector-size", paramLabel = "512|4096", defaultValue = "512",
            description = "Logical sector size of the VHDX: that of the LUN the disk is served as (default ${DEFAULT-VALUE}).")
    int sectorSize;

    /** The size, checked. */
    int value() {
        if (sectorSize != 512 && sectorSize != 4096) {
            throw new IllegalArgumentException("--sector-size " + sectorSize + ": must be 512 or 4096");
        }
        return sectorSize;
    }
}
