package io.lunport.server.export;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * The bytes of an exported VHDX: the {@link VhdxView}'s, with the zero runs inside its
 * stored blocks reported as such ({@link VhdxView#extentsInsideBlocks}), so the copy neither
 * reads nor writes them (the file is allocated beforehand, see {@link HoleMode#ALLOCATE}).
 * Everything else is the view's; closing this closes the view and its source.
 */
final class ExportedVhdx implements BlockSource {

    private final VhdxView view;

    ExportedVhdx(VhdxView view) {
        this.view = view;
    }

    @Override
    public long size() {
        return view.size();
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        view.read(offset, dst);
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        return view.extentsInsideBlocks(offset, length);
    }

    @Override
    public byte[] identity() {
        return view.identity();
    }

    @Override
    public String formatName() {
        return view.formatName();
    }

    @Override
    public SourceInfo describe() throws IOException {
        return view.describe();
    }

    @Override
    public void close() throws IOException {
        view.close();
    }
}
