package io.lunport.translation;

import io.lunport.translation.qcow2.Qcow2BlockSource;
import io.lunport.translation.vdi.VdiFormat;
import io.lunport.translation.vhd.VhdFormat;
import io.lunport.translation.vhdx.VhdxFormat;
import io.lunport.translation.vhdx.stub.StubFormat;
import io.lunport.translation.vmdk.VmdkFormat;
import java.util.List;
import java.util.Optional;

/**
 * The table of formats, in the order they are tried. A lunport stub is a VHDX with one more
 * metadata item, so its detection comes before the plain VHDX reader's. Raw comes last: it
 * is what a file is when no signature matches.
 */
public final class ImageFormats {

    private static final List<ImageFormat> ALL = List.of(
            Qcow2BlockSource.FORMAT,
            VmdkFormat.INSTANCE,
            VdiFormat.INSTANCE,
            VhdFormat.INSTANCE,
            StubFormat.INSTANCE,
            VhdxFormat.INSTANCE,
            RawBlockSource.FORMAT);

    private ImageFormats() {
    }

    public static List<ImageFormat> all() {
        return ALL;
    }

    public static ImageFormat detect(FileProbe probe) {
        for (ImageFormat format : ALL) {
            if (format.recognizes(probe)) {
                return format;
            }
        }
        return RawBlockSource.FORMAT;
    }

    public static Optional<ImageFormat> byName(String name) {
        return ALL.stream().filter(f -> f.name().equalsIgnoreCase(name)).findFirst();
    }
}
