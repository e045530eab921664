package io.lunport.server.export;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The file an export writes, from the checks before it is created to its commit or removal.
 * State machine: {@link State#OPEN} until {@link #commit} ({@link State#COMMITTED}) or
 * {@link #discard} ({@link State#DISCARDED}); a file that never reached COMMITTED is removed,
 * so a failed or interrupted export leaves nothing half-written behind.
 *
 * <p>Locking: the state changes under the object's lock, because an interrupt's shutdown hook
 * may cancel and discard while the main thread commits; whichever comes first decides.
 */
public final class OutputFile {

    enum State { OPEN, COMMITTED, DISCARDED }

    private final Path path;
    private final FileChannel channel;
    private final NativeFile file;
    private State state = State.OPEN;
    private volatile boolean cancelled;

    private OutputFile(Path path, FileChannel channel, NativeFile file) {
        this.path = path;
        this.channel = channel;
        this.file = file;
    }

    /**
     * Creates {@code path} for writing, after refusing what would lose data: an existing file
     * (unless {@code force}), and any of {@code inputs} (the image, its backing files, the overlay).
     *
     * @throws IllegalArgumentException when the path is refused (a usage error)
     */
    public static OutputFile create(Path path, boolean force, List<Path> inputs) throws IOException {
        if (Files.exists(path, LinkOption.NOFOLLOW_LINKS) || Files.exists(path)) {
            for (Path input : inputs) {
                if (Files.exists(input) && Files.isSameFile(path, input)) {
                    throw new IllegalArgumentException("-o " + path + " is " + input + ", an input of the export");
                }
            }
            if (Files.isDirectory(path)) {
                throw new IllegalArgumentException("-o " + path + " is a directory");
            }
            if (!force) {
                throw new IllegalArgumentException("-o " + path + " exists (--force overwrites it)");
            }
            // Removed rather than truncated: a hard link or symlink elsewhere must not be written through.
            Files.delete(path);
        }
        FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new OutputFile(path, channel, NativeFile.open(path));
    }

    /** Where the copy writes. */
    CopyTarget target(HoleMode holes) {
        return new CopyTarget(channel, file, path, holes, true);
    }

    public Path path() {
        return path;
    }

    /** Asks the export to stop: the copy polls {@link #cancelled()}, and {@link #commit} refuses from now on. */
    public void cancel() {
        cancelled = true;
    }

    public boolean cancelled() {
        return cancelled;
    }

    /**
     * Forces the bytes to the device and keeps the file; false when the export was cancelled or
     * the file discarded first (the force can take seconds: a cancel during it still wins).
     */
    public boolean commit() throws IOException {
        channel.force(true); // the write-behind put most of it on the device already: this is the rest and the metadata
        synchronized (this) {
            if (state != State.OPEN || cancelled) {
                return false;
            }
            closeChannels();
            state = State.COMMITTED;
            return true;
        }
    }

    /**
     * Closes and removes the file unless it was committed; safe to call more than once.
     *
     * @return what became of the file, for the user's error message
     */
    public synchronized String discard() {
        if (state == State.COMMITTED) {
            return "kept " + path;
        }
        state = State.DISCARDED;
        try {
            closeChannels();
        } catch (IOException ignored) {
            // the file is removed next; a close error changes nothing
        }
        try {
            Files.deleteIfExists(path);
            return "partial file removed";
        } catch (IOException e) {
            return "the partial file " + path + " could not be removed: " + e.getMessage();
        }
    }

    private void closeChannels() throws IOException {
        try (FileChannel c = channel; NativeFile f = file) {
            // closes both, the native descriptor first
        }
    }
}
