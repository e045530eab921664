package io.lunport.pluginfs;

import io.lunport.translation.BlockSource;

/**
 * The VHDX file an image appears as before anything was written to it.
 *
 * @param file            the file's bytes; {@code file.size()} is the file length. Owned by the holder.
 * @param structureLength bytes at the start of the file that are generated without reading
 *                        payload (headers, log, region tables, metadata, BAT): where the first
 *                        payload block may start
 * @param maxFileLength   the most a VHDX writer appending blocks could grow the file to
 */
public record ImageView(BlockSource file, long structureLength, long maxFileLength) {

    public ImageView {
        if (structureLength < 0 || structureLength > file.size() || maxFileLength < file.size()) {
            throw new IllegalArgumentException("inconsistent VHDX view: structures " + structureLength + ", file "
                    + file.size() + ", at most " + maxFileLength + " bytes");
        }
    }
}
