package io.lunport.pluginfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * Small state files that are replaced whole: written aside, fsynced and renamed over the old
 * one, so that a crash leaves either the old or the new content, never a mix. Each ends in a
 * CRC32C of everything before it, so a file damaged by other means is noticed, not believed.
 */
final class StateFiles {

    private StateFiles() {
    }

    /** Replaces {@code file} with {@code content} (position to limit) followed by its CRC32C. */
    static void replace(Path file, ByteBuffer content) throws IOException {
        CRC32C crc = new CRC32C();
        crc.update(content.duplicate());
        ByteBuffer trailer = ByteBuffer.allocate(4).putInt(0, (int) crc.getValue());
        Path parent = file.toAbsolutePath().getParent();
        Path temporary = parent.resolve(file.getFileName() + ".new");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            while (content.hasRemaining()) {
                out.write(content);
            }
            while (trailer.hasRemaining()) {
                out.write(trailer);
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(parent, StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is then as durable as they make it.
        }
    }

    /**
     * The content of {@code file} without its CRC, or null when the file does not exist.
     *
     * @throws StateFileException when it is longer than {@code maxLength}, or its CRC does not match
     */
    static ByteBuffer read(Path file, int maxLength) throws IOException {
        if (!Files.exists(file)) {
            return null;
        }
        long size = Files.size(file);
        if (size < 4 || size > maxLength + 4L) {
            throw new StateFileException(file, "is " + size + " bytes long, expected 4 to " + (maxLength + 4L));
        }
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer all = ByteBuffer.wrap(bytes);
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, bytes.length - 4);
        int stored = all.getInt(bytes.length - 4);
        if (stored != (int) crc.getValue()) {
            throw new StateFileException(file, "CRC32C at offset " + (bytes.length - 4) + " does not match its content");
        }
        return all.limit(bytes.length - 4).slice();
    }

    /** A state file that cannot be believed: names the file and what is wrong with it. */
    static final class StateFileException extends IOException {
        private static final long serialVersionUID = 1L;

        StateFileException(Path file, String problem) {
            super("state file " + file + ": " + problem);
        }
    }
}
