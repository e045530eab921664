package io.lunport.server.lun;

import io.lunport.device.BlockDevice;
import io.lunport.device.DirectFileBlockDevice;
import io.lunport.device.ReadOnlyBlockDevice;
import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.overlay.OverlayException;
import io.lunport.scsi.LogicalUnit;
import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.TranslationContext;
import java.io.IOException;
import java.nio.file.Files;
import java.util.HexFormat;

/**
 * Turns a {@link LunSpec} into a logical unit: opens the image as a block source, puts the
 * device on top that the spec asks for, and derives the unit serial number from the
 * image's identity so that it is the same on every start and every portal.
 */
public final class LunFactory {

    private LunFactory() {
    }

    public static LogicalUnit open(LunSpec spec, TranslationContext context) throws IOException {
        if (!Files.isRegularFile(spec.image())) {
            throw new LunException("no such image file " + spec.image());
        }
        BlockDevice device;
        BlockSource source = new ImageOpener(context).open(spec.image());
        // Checked before an overlay file is made for an image that cannot be served anyway.
        String sizeProblem = source.size() == 0 ? "image " + spec.image() + " is empty"
                : source.size() % spec.blockSize() != 0 ? "image size " + source.size() + " is not a multiple of the "
                + spec.blockSize() + "-byte block size" : null;
        if (sizeProblem != null) {
            source.close();
            throw new LunException(sizeProblem);
        }
        if (spec.direct() && !spec.readOnly()) {
            String format = source.formatName();
            source.close();
            if (!format.equals("raw")) {
                throw new LunException("--direct writes raw images only, this one is " + format);
            }
            device = DirectFileBlockDevice.open(spec.image());
        } else if (spec.readOnly() || spec.overlay() == null) {
            device = new ReadOnlyBlockDevice(source);
        } else {
            // Writes land in the overlay (created on first use, re-attached later); the image is never changed.
            try {
                device = OverlayBlockDevice.open(source, spec.overlay());
            } catch (OverlayException e) {
                source.close();
                throw new LunException(e.getMessage());
            } catch (IOException | RuntimeException e) {
                source.close();
                throw e;
            }
        }
        String serial = HexFormat.of().formatHex(device.identity(), 0, 10);
        try {
            return new LogicalUnit(device, spec.blockSize(), serial, spec.reservations());
        } catch (IOException | RuntimeException e) {
            device.close();
            throw new LunException(e.getMessage());
        }
    }

    /**
     * A LUN that cannot be served as specified: a usage error (exit code 2). The message says
     * what is wrong; the caller adds which LUN (config key and line, or flag).
     */
    public static final class LunException extends IOException {
        public LunException(String message) {
            super(message);
        }
    }
}
