package io.lunport.translation;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;

/**
 * A raw image: virtual offset equals file offset. The file's length is the disk size.
 *
 * <p>Extents: the file system's own allocation map, through {@link FileHoles} (holes are
 * UNALLOCATED, the rest DATA); where that map cannot be read, the whole range is DATA.
 */
public final class RawBlockSource implements BlockSource {

    private static final byte[] ZEROS = new byte[64 * 1024];

    private final Path path;
    private final FileChannel channel;
    private final long size;
    private final byte[] identity;
    private final FileHoles holes;

    private RawBlockSource(Path path, FileChannel channel, long size, byte[] identity, FileHoles holes) {
        this.path = path;
        this.channel = channel;
        this.size = size;
        this.identity = identity;
        this.holes = holes;
    }

    /** Raw is what remains when no other format recognizes a file: it matches everything. */
    public static final ImageFormat FORMAT = new ImageFormat() {
        @Override
        public String name() {
            return "raw";
        }

        @Override
        public boolean recognizes(FileProbe probe) {
            return true;
        }

        @Override
        public BlockSource open(FileProbe probe, BackingChain chain) throws IOException {
            return RawBlockSource.open(probe.path());
        }
    };

    public static RawBlockSource open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new RawBlockSource(path, channel, channel.size(), identityOf(path), FileHoles.open(path));
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /**
     * The identity of a plain file: its real path and file key (device, inode). Deliberately
     * not its modification time, so that an in-place (direct) LUN keeps its identifier while
     * it is written.
     */
    static byte[] identityOf(Path path) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
        String key = path.toRealPath() + "|" + attrs.fileKey();
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }

    public Path path() {
        return path;
    }

    /** The open channel, for devices that write the same file in place. */
    public FileChannel channel() {
        return channel;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        try {
            readUpTo(channel, offset, dst);
        } catch (IOException e) {
            throw new MediumException(offset, "read of " + path + " at " + offset + " failed: " + e.getMessage(), e);
        }
        // The file shrank underneath us: what is past its end reads as zeros.
        zeroFill(dst);
    }

    /**
     * The positional read loop of every file-backed reader (this class, {@link FileProbe}, the
     * qcow2 header, and the {@code ImageFile}s of the table-mapped formats): fills {@code dst} from {@code channel} at
     * {@code position} until it is full or the file ends. Thread-safe ({@link FileChannel}'s
     * positional reads are); allocates nothing.
     *
     * @return the file position after the last byte read: {@code dst} still has room only when
     *         the file ends there
     */
    public static long readUpTo(FileChannel channel, long position, ByteBuffer dst) throws IOException {
        long p = position;
        while (dst.hasRemaining()) {
            int n = channel.read(dst, p);
            if (n < 0) {
                break;
            }
            p += n;
        }
        return p;
    }

    /**
     * Fills {@code dst} from its position to its limit with zeros: a read past the end of a
     * file, or a zero or unallocated run of a table-mapped image. Allocates nothing.
     */
    public static void zeroFill(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            dst.put(ZEROS, 0, Math.min(ZEROS.length, dst.remaining()));
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) {
        return holes.extents(offset, length);
    }

    @Override
    public byte[] identity() {
        return identity.clone();
    }

    @Override
    public String formatName() {
        return "raw";
    }

    @Override
    public SourceInfo describe() {
        return new SourceInfo(path, "raw", size, 0, null, size, java.util.Map.of(), null);
    }

    @Override
    public void close() throws IOException {
        try {
            holes.close();
        } finally {
            channel.close();
        }
    }
}
