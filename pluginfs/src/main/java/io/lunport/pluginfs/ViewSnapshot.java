package io.lunport.pluginfs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What an image's VHDX file looks like without its payload: the generated structures at the
 * start of the file (headers, log, region tables, metadata, BAT) and the lengths. Cached in the
 * state directory ({@code NAME.vhdx.meta}) so that a mount, an open, a stat and reads of the
 * first MiBs need not open the image, which for a backup store can be slow.
 *
 * <p>Valid for as long as the image file keeps its size and modification time; when they
 * change, the snapshot is taken again. When the image is finally opened for payload, the view
 * it yields is checked against the snapshot ({@link LazyViewSource}).
 *
 * <pre>
 *   0 magic "LUNPVMET"   8 version u32    12 structure length u32
 *  16 image size u64    24 image mtime ms u64
 *  32 file length u64   40 max file length u64
 *  48 identity length u16   50 image path length u16   52 (4 bytes reserved)
 *  56 identity, image path (UTF-8), structures; then the CRC32C StateFiles appends
 * </pre>
 */
record ViewSnapshot(Path image, long imageSize, long imageMtimeMillis, byte[] identity, long fileLength,
                    long maxFileLength, byte[] structures) {

    private static final byte[] MAGIC = "LUNPVMET".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int FIXED = 56;
    /** Far above the structures of any disk VHDX allows (64 TiB at 32 MiB blocks: 16 MiB of BAT). */
    static final int MAX_STRUCTURES = 64 << 20;

    /** Takes the snapshot of {@code view}, the view of {@code image}; reads no payload. */
    static ViewSnapshot capture(Path image, ImageView view) throws IOException {
        if (view.structureLength() > MAX_STRUCTURES) {
            throw new IOException("the VHDX of " + image + " has " + view.structureLength()
                    + " bytes of structures, more than the " + MAX_STRUCTURES + " a snapshot holds");
        }
        byte[] structures = new byte[(int) view.structureLength()];
        view.file().read(0, ByteBuffer.wrap(structures));
        return new ViewSnapshot(image.toAbsolutePath(), Files.size(image), Files.getLastModifiedTime(image).toMillis(),
                view.file().identity(), view.file().size(), view.maxFileLength(), structures);
    }

    /** Whether {@code image} still has the size and time it had when this was taken. */
    boolean matches(Path image) throws IOException {
        return this.image.equals(image.toAbsolutePath()) && Files.size(image) == imageSize
                && Files.getLastModifiedTime(image).toMillis() == imageMtimeMillis;
    }

    /** Whether a freshly opened view yields the same file as this snapshot describes. */
    boolean describes(ImageView view) throws IOException {
        if (view.file().size() != fileLength || view.structureLength() != structures.length
                || view.maxFileLength() != maxFileLength) {
            return false;
        }
        byte[] now = new byte[structures.length];
        view.file().read(0, ByteBuffer.wrap(now));
        return Arrays.equals(now, structures);
    }

    private static byte[] read(ByteBuffer b, byte[] into) {
        b.get(into);
        return into;
    }

    void save(Path file) throws IOException {
        byte[] path = image.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(FIXED + identity.length + path.length + structures.length)
                .order(ByteOrder.LITTLE_ENDIAN);
        b.put(MAGIC).putInt(VERSION).putInt(structures.length).putLong(imageSize).putLong(imageMtimeMillis)
                .putLong(fileLength).putLong(maxFileLength).putShort((short) identity.length)
                .putShort((short) path.length).putInt(0);
        b.put(identity).put(path).put(structures).flip();
        StateFiles.replace(file, b);
    }

    /**
     * The snapshot saved in {@code file}, or null when there is none.
     *
     * @throws StateFiles.StateFileException when the file is not a snapshot or is damaged
     */
    static ViewSnapshot load(Path file) throws IOException {
        ByteBuffer b = StateFiles.read(file, FIXED + 0xFFFF * 2 + MAX_STRUCTURES);
        if (b == null) {
            return null;
        }
        b.order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[MAGIC.length];
        if (b.remaining() < FIXED || !Arrays.equals(read(b, magic), MAGIC)) {
            throw new StateFiles.StateFileException(file, "no VHDX metadata snapshot (magic at offset 0)");
        }
        int version = b.getInt();
        if (version != VERSION) {
            throw new StateFiles.StateFileException(file, "version " + version + " at offset 8, expected " + VERSION);
        }
        int structureLength = b.getInt();
        long imageSize = b.getLong();
        long mtime = b.getLong();
        long fileLength = b.getLong();
        long maxFileLength = b.getLong();
        int identityLength = Short.toUnsignedInt(b.getShort());
        int pathLength = Short.toUnsignedInt(b.getShort());
        b.getInt();
        if (structureLength < 0 || (long) identityLength + pathLength + structureLength != b.remaining()
                || fileLength < structureLength || maxFileLength < fileLength) {
            throw new StateFiles.StateFileException(file, "lengths at offsets 12..51 do not add up to the file");
        }
        byte[] identity = new byte[identityLength];
        byte[] path = new byte[pathLength];
        byte[] structures = new byte[structureLength];
        b.get(identity).get(path).get(structures);
        return new ViewSnapshot(Path.of(new String(path, StandardCharsets.UTF_8)), imageSize, mtime, identity,
                fileLength, maxFileLength, structures);
    }
}
