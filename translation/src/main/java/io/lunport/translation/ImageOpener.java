package io.lunport.translation;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Opens an image file as a {@link BlockSource}: detects its format from content and opens
 * its backing chain, each layer in whatever format it has, relative to the child, refusing
 * loops and chains deeper than {@link #MAX_DEPTH}.
 *
 * <p>One opener serves one top-level open at a time (it tracks the chain being opened);
 * the sources it returns are thread-safe.
 */
public final class ImageOpener implements BackingChain {

    /** Deeper chains are refused: no real backup chain comes near this, a loop would. */
    public static final int MAX_DEPTH = 64;

    private final TranslationContext context;
    private final Deque<Path> opening = new ArrayDeque<>();

    public ImageOpener(TranslationContext context) {
        this.context = context;
    }

    /** Opens {@code path} and its whole chain. */
    public BlockSource open(Path path) throws IOException {
        return open(path, null);
    }

    /** Opens {@code path} as {@code formatName} (null: detect). */
    public BlockSource open(Path path, String formatName) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such image file");
        }
        Path real = path.toRealPath();
        if (opening.contains(real)) {
            throw new ImageFormatException(path, 0, "backing file", "the chain loops back to " + real);
        }
        if (opening.size() >= MAX_DEPTH) {
            throw new ImageFormatException(path, 0, "backing file", "chain deeper than " + MAX_DEPTH + " images");
        }
        opening.push(real);
        try {
            FileProbe probe = FileProbe.read(path);
            ImageFormat format = formatName == null ? ImageFormats.detect(probe)
                    : ImageFormats.byName(formatName).orElseThrow(() -> new ImageFormatException(path, 0, "format",
                    "unknown format name '" + formatName + "'"));
            return format.open(probe, this);
        } finally {
            opening.pop();
        }
    }

    @Override
    public BlockSource openBacking(Path child, String reference, String formatHint) throws IOException {
        Path referenced = Path.of(reference);
        Path resolved = referenced.isAbsolute() ? referenced : child.toAbsolutePath().getParent().resolve(referenced);
        if (!Files.exists(resolved)) {
            throw new ImageFormatException(child, 0, "backing file", "'" + reference + "' does not exist (looked for " + resolved + ")");
        }
        return open(resolved, formatHint);
    }

    @Override
    public TranslationContext context() {
        return context;
    }
}
