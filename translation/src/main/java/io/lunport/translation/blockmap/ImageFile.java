package io.lunport.translation.blockmap;

import io.lunport.translation.Extent;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import io.lunport.translation.RawBlockSource;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * The bytes of an image file as a reader sees them: positional, thread-safe reads (the loop is
 * {@link RawBlockSource#readUpTo}, shared with raw images). Every table-mapped format (VMDK,
 * VDI, VHD, VHDX) reads its files through one. A reader that must see the file through
 * something else (a VHDX log replayed in memory) wraps one.
 *
 * <p>Two kinds of read: {@link #read}/{@link #readBytes} for headers and tables, where bytes
 * past the end read as zeros and the caller's checks report the damage; and
 * {@link #readStored}/{@link #readStoredArray} for bytes a table places, where a short file
 * or a failed read is a {@link MediumException} naming the virtual offset.
 *
 * <p>Locking contract: thread-safe without locks ({@link FileChannel}'s positional reads are).
 * Memory contract: holds nothing but the channel; the array reads allocate what they return.
 */
public interface ImageFile extends Closeable {

    Path path();

    /** Length in bytes of the file as the reader sees it. */
    long size();

    /**
     * Fills {@code dst} from its position to its limit with the bytes at {@code position}.
     * Bytes past {@link #size()} read as zeros: callers check their ranges against the size
     * before they read, so this only happens for the tail of a block a table allows to be short.
     */
    void read(long position, ByteBuffer dst) throws IOException;

    /** Reads {@code length} bytes at {@code position} into a new array (headers, tables). */
    default byte[] readBytes(long position, int length) throws IOException {
        byte[] bytes = new byte[length];
        read(position, ByteBuffer.wrap(bytes));
        return bytes;
    }

    /**
     * Fills {@code dst} with stored bytes a table places at {@code position}, for the virtual
     * offset {@code virtualOffset} (-1 for a table): a failed read is a {@link MediumException}
     * naming both, and so (for the file itself) is a file that ends early.
     */
    default void readStored(long position, ByteBuffer dst, long virtualOffset) throws MediumException {
        try {
            read(position, dst);
        } catch (IOException e) {
            throw MediumException.readFailed(path(), position, virtualOffset, e);
        }
    }

    /** Reads exactly {@code length} stored bytes at {@code position} into a new array (length already validated). */
    default byte[] readStoredArray(long position, int length, long virtualOffset) throws MediumException {
        byte[] bytes = new byte[length];
        readStored(position, ByteBuffer.wrap(bytes), virtualOffset);
        return bytes;
    }

    /** Fails unless {@code [fileOffset, fileOffset + length)} lies inside the file. */
    default void checkInFile(long fileOffset, long length, long tableOffset, String field) throws ImageFormatException {
        if (fileOffset < 0 || length < 0 || fileOffset > size() - length) {
            throw new ImageFormatException(path(), tableOffset, field, "points at " + fileOffset + "+" + length
                    + ", past the end of the file (" + size() + " bytes)");
        }
    }

    /**
     * Where the file system stores data in {@code [position, position + length)} of this file:
     * DATA and UNALLOCATED (a hole, which reads as zeros) runs that tile the range, in file
     * offsets. The default answers DATA throughout: a view that is not the plain file (a VHDX
     * log replayed over it) must not report the file's holes, which it may have filled.
     */
    default List<Extent> fileExtents(long position, long length) throws IOException {
        return List.of(new Extent(position, length, Extent.Kind.DATA));
    }

    /** The file itself, read through a {@link FileChannel} (whose positional reads are thread-safe). */
    static ImageFile open(Path path) throws IOException {
        FileChannel channel = FileChannel.open(path, StandardOpenOption.READ);
        try {
            return new PlainImageFile(path, channel, channel.size());
        } catch (IOException e) {
            channel.close();
            throw e;
        }
    }
}
