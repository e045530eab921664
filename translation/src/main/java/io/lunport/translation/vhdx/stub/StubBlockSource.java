package io.lunport.translation.vhdx.stub;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ForwardingBlockSource;
import io.lunport.translation.SourceInfo;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An opened lunport stub: reads, extents and identity are the source image's (so a LUN of a
 * stub is the LUN of its image, overlay included); {@link #describe()} shows the pointer
 * above the image's own description; {@link #fullView()} is the stub file with its payload
 * filled in.
 *
 * <p>Locking contract and memory cost: those of the source; the stub adds the pointer.
 */
public final class StubBlockSource extends ForwardingBlockSource {

    public static final String FORMAT_NAME = "vhdx-stub";

    private final Path stub;
    private final StubPointer pointer;
    private final Path resolved;
    private final VhdxLayoutOptions options;

    StubBlockSource(BlockSource image, Path stub, StubPointer pointer, Path resolved, VhdxLayoutOptions options) {
        super(image);
        this.stub = stub;
        this.pointer = pointer;
        this.resolved = resolved;
        this.options = options;
    }

    public Path stub() {
        return stub;
    }

    public StubPointer pointer() {
        return pointer;
    }

    /** The source file this stub's pointer led to. */
    public Path resolvedSource() {
        return resolved;
    }

    /** The block and sector sizes the stub file announces. */
    public VhdxLayoutOptions options() {
        return options;
    }

    /**
     * The full VHDX this stub stands for: the stub's bytes, pointer item included, with the
     * payload blocks read from the source. Owns this source: closing the view closes it.
     */
    public VhdxView fullView() throws IOException {
        return VhdxView.of(this, options, pointer.toUserItem());
    }

    @Override
    public String formatName() {
        return FORMAT_NAME;
    }

    @Override
    public SourceInfo describe() throws IOException {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("source", pointer.given());
        details.put("source absolute path", pointer.absolute());
        details.put("source relative path", pointer.relative());
        details.put("source resolved", resolved.toString());
        details.put("source virtual size", Long.toString(pointer.virtualSize()));
        details.put("source fingerprint", pointer.fingerprintHex());
        details.put("logical sector size", Integer.toString(options.logicalSectorSize()));
        return new SourceInfo(stub, FORMAT_NAME, size(), options.blockSize(), null, 0, details, delegate.describe());
    }
}
