package io.lunport.translation.vhdx.stub;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.vhdx.synth.VhdxFileLayout;
import io.lunport.translation.vhdx.synth.VhdxLayoutOptions;
import io.lunport.translation.vhdx.synth.VhdxView;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Writes a lunport stub: the bytes of the source's {@link VhdxView} carrying the
 * {@link StubPointer} as user item, except that the payload blocks stay holes. The file has
 * the view's full length (so every FULLY_PRESENT block lies inside it and VHDX readers
 * accept it), but only the headers, metadata and non-zero BAT pages are allocated.
 *
 * <p>Where the pointer lives: in the view itself. A stub's bytes are exactly those of
 * {@code VhdxView.of(source, options, pointer.toUserItem())} with the payload left out, and
 * opening the stub and asking for its {@link StubBlockSource#fullView()} rebuilds that same
 * view, byte for byte. A plain {@code VhdxView.of(source, options)} has no pointer, so an
 * exported VHDX never passes for a stub.
 *
 * <p>Determinism: the GUIDs come from the source's identity and the pointer from the paths
 * and the source's fingerprint, so writing a stub again for an unchanged source, at the same
 * place and with the same arguments, gives the same bytes (a Hyper-V differencing disk on the
 * stub keeps its parent).
 */
public final class StubWriter {

    /** Writes are done in pieces of this size; an all-zero piece is skipped (left a hole). */
    private static final int CHUNK = 64 * 1024;

    /** What was written. */
    public record Result(Path stub, StubPointer pointer, VhdxFileLayout layout) {
    }

    private StubWriter() {
    }

    /**
     * Writes the stub of {@code source} (opened from {@code given}) to {@code stub}, through a
     * temporary file in the same folder moved into place at the end. Closes nothing: the caller
     * owns {@code source}.
     *
     * @param replace whether an existing {@code stub} is replaced; if not, an existing file is an error
     */
    public static Result write(BlockSource source, Path given, Path stub, VhdxLayoutOptions options, boolean replace)
            throws IOException {
        StubPointer pointer = StubPointer.of(given, stub, source.size(), SourceFingerprint.of(given, source));
        VhdxView view = VhdxView.of(new Unclosed(source), options, pointer.toUserItem());
        Path folder = stub.toAbsolutePath().normalize().getParent();
        // Created with the umask's permissions (a temp file's 0600 would follow the stub into place).
        Path temporary = Files.createFile(folder.resolve("." + stub.getFileName() + "." + ProcessHandle.current().pid() + ".tmp"));
        try {
            try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
                writeStructures(view, out);
                out.truncate(view.size());
                if (out.size() < view.size()) {
                    out.write(ByteBuffer.allocate(1), view.size() - 1);
                }
                out.force(true);
            }
            if (replace) {
                Files.move(temporary, stub, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } else {
                Files.move(temporary, stub);
            }
        } finally {
            Files.deleteIfExists(temporary);
        }
        return new Result(stub, pointer, view.layout());
    }

    /** The DATA extents before the first payload block, skipping all-zero chunks. */
    private static void writeStructures(VhdxView view, FileChannel out) throws IOException {
        long end = view.layout().firstPayloadOffset();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        for (Extent e : view.extents(0, end)) {
            if (e.kind() != Extent.Kind.DATA) {
                continue;
            }
            for (long at = e.offset(); at < e.end(); at += chunk.limit()) {
                chunk.clear().limit((int) Math.min(CHUNK, e.end() - at));
                view.read(at, chunk);
                chunk.flip();
                if (isZero(chunk)) {
                    continue;
                }
                long position = at;
                while (chunk.hasRemaining()) {
                    position += out.write(chunk, position);
                }
            }
        }
    }

    private static boolean isZero(ByteBuffer b) {
        for (int i = b.position(); i < b.limit(); i++) {
            if (b.get(i) != 0) {
                return false;
            }
        }
        return true;
    }

    /** The caller's source, which the view must not close. */
    private static final class Unclosed extends io.lunport.translation.ForwardingBlockSource {
        Unclosed(BlockSource source) {
            super(source);
        }

        @Override
        public void close() {
        }
    }
}
