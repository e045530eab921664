package io.lunport.server.export;

import io.lunport.translation.Extent;
import io.lunport.translation.ForwardingBlockSource;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.util.List;

/**
 * The bytes of an exported VHDX: the {@link VhdxView}'s, with the zero runs inside its
 * stored blocks reported as such ({@link VhdxView#extentsInsideBlocks}), so the copy neither
 * reads nor writes them (the file is allocated beforehand, see {@link HoleMode#ALLOCATE}).
 * Everything else is the view's; closing this closes the view and its source.
 */
final class ExportedVhdx extends ForwardingBlockSource {

    private final VhdxView view;

    ExportedVhdx(VhdxView view) {
        super(view);
        this.view = view;
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        return view.extentsInsideBlocks(offset, length);
    }
}
