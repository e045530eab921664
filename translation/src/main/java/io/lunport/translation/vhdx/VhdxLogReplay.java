package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;

/** Placeholder: images with a pending log are refused until replay lands. */
final class VhdxLogReplay {

    private VhdxLogReplay() {
    }

    static ImageFile replay(ImageFile file, VhdxHeader header) throws IOException {
        throw new ImageFormatException(file.path(), VhdxHeader.HEADER1_OFFSET + 48, "header log guid",
                "the log holds updates not yet applied (" + header.logGuid() + "); replay is not supported");
    }
}
