package io.lunport.pluginfs;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the VHDX view of an image (any format lunport reads, a chain, or a plugin stub). */
@FunctionalInterface
public interface ViewFactory {

    ImageView open(Path image) throws IOException;
}
