package io.lunport.pluginfs;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageOpener;
import io.lunport.translation.vhdx.synth.VhdxFileLayout;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.nio.file.Path;

/** The {@link ViewFactory} of the mount: an image opened by lunport's readers, shown as a dynamic VHDX. */
public final class VhdxViews implements ViewFactory {

    private final ImageOpener opener;
    private final VhdxLayoutOptions options;

    public VhdxViews(ImageOpener opener, int logicalSectorSize) {
        this.opener = opener;
        this.options = VhdxLayoutOptions.defaults(logicalSectorSize);
    }

    @Override
    public ImageView open(Path image) throws IOException {
        BlockSource source = opener.open(image);
        try {
            VhdxView view = VhdxView.of(source, options);
            VhdxFileLayout layout = view.layout();
            return new ImageView(view, layout.firstPayloadOffset(), layout.maxFileLength());
        } catch (IOException | RuntimeException e) {
            source.close();
            throw e;
        }
    }
}
