package io.lunport.server.lun;

import java.nio.file.Path;

/**
 * One image to serve, as the command line or configuration names it.
 *
 * @param name      becomes the target name {@code iqn.2026-11.io.lunport:NAME}
 * @param direct    write into the raw image in place instead of keeping it untouched
 * @param blockSize logical block size, 512 or 4096
 * @param overlay      where writes go unless read-only or direct; null: serve read-only
 * @param reservations where persistent reservations with APTPL are kept; null: memory only
 */
public record LunSpec(String name, Path image, boolean readOnly, boolean direct, int blockSize, Path overlay,
                      Path reservations) {

    public LunSpec(String name, Path image, boolean readOnly, boolean direct, int blockSize) {
        this(name, image, readOnly, direct, blockSize, null, null);
    }

    /**
     * The same LUN keeping its state in {@code stateDir}: writes in {@code NAME.overlay}
     * (DESIGN.md), persistent reservations in {@code NAME.pr}.
     */
    public LunSpec withStateIn(Path stateDir) {
        return new LunSpec(name, image, readOnly, direct, blockSize, stateDir.resolve(name + ".overlay"),
                stateDir.resolve(name + ".pr"));
    }

    /** Parses {@code NAME=PATH} as {@code --lun} takes it. */
    public static LunSpec parse(String value, boolean readOnly, boolean direct, int blockSize) {
        int eq = value.indexOf('=');
        if (eq <= 0 || eq == value.length() - 1) {
            throw new IllegalArgumentException("--lun takes NAME=PATH, not '" + value + "'");
        }
        return new LunSpec(value.substring(0, eq), Path.of(value.substring(eq + 1)), readOnly, direct, blockSize);
    }
}
