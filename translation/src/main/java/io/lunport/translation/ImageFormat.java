package io.lunport.translation;

import java.io.IOException;

/**
 * One image format: how to recognize it and how to open it. A new format is one class
 * implementing this and one entry in {@link ImageFormats}.
 */
public interface ImageFormat {

    /** The name {@code inspect} prints and a backing-format hint uses ("qcow2", "vmdk", ...). */
    String name();

    /** Whether the file's content identifies this format. Must not throw on short files. */
    boolean recognizes(FileProbe probe);

    /**
     * Opens the image. Reads headers only; tables are read on demand.
     *
     * @param chain opens backing files, relative to this image, with loop and depth checks
     * @throws ImageFormatException naming file, offset and field when the structure is wrong
     */
    BlockSource open(FileProbe probe, BackingChain chain) throws IOException;
}
