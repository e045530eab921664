package io.lunport.translation;

import java.io.IOException;
import java.nio.file.Path;

/** What a reader calls to open the image its child points at. */
public interface BackingChain {

    /**
     * Opens a backing (parent) image.
     *
     * @param child      the file that names its backing file
     * @param reference  the name as stored in the child; relative names resolve against the child's folder
     * @param formatHint a format name the child records for its backing file, or null to detect it
     * @throws ImageFormatException when the backing file is missing, loops back, or the chain is too deep
     */
    BlockSource openBacking(Path child, String reference, String formatHint) throws IOException;

    /** The caches and settings shared by every reader of this chain. */
    TranslationContext context();
}
