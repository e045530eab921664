package io.lunport.server.export;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;

/**
 * The output file opened once more, through libc (jnr-ffi), for the three Linux calls an export
 * needs and Java 17 has no API for (nor exposes a {@link java.nio.channels.FileChannel}'s
 * descriptor to make them on):
 * <ul>
 * <li>{@code fallocate(fd, 0, 0, length)} ({@link #allocate}): the file's blocks come as
 *     unwritten extents, which read as zeros and count in {@code stat}'s blocks, so the file is
 *     not sparse, yet no byte went to the device. A VHDX must hold no hole (Windows refuses
 *     sparse VHDX files), and writing the zero runs inside its stored blocks would cost as much
 *     disk bandwidth as data.
 * <li>{@code sync_file_range(SYNC_FILE_RANGE_WRITE)} ({@link #startWriteback}): queues a
 *     range's dirty pages for the device now, without waiting, instead of when the kernel's
 *     dirty limits or the final fsync get to them.
 * <li>{@code sync_file_range(WAIT_BEFORE | WRITE | WAIT_AFTER)} then
 *     {@code posix_fadvise(DONTNEED)} ({@link #awaitWritebackAndDrop}): waits until a range is
 *     on the device, reporting a write error there and then, and drops its pages from the page
 *     cache, which a file nobody reads again would otherwise fill.
 * </ul>
 *
 * <p>Fallback: where libc cannot be loaded (not Linux) or the file cannot be opened this way,
 * {@link #allocate} answers false (the copy writes the zeros) and the writeback calls do
 * nothing (the final fsync writes everything). {@code -Dlunport.export.fallocate=false} skips
 * fallocate alone, to measure the difference or test the fallback.
 *
 * <p>Thread safety: the calls are positional, so the copy's workers share one instance.
 */
final class NativeFile implements Closeable {

    /** Whether exports try fallocate at all. */
    static final boolean FALLOCATE = Boolean.parseBoolean(System.getProperty("lunport.export.fallocate", "true"));

    /* Linux's values. */
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    private static final int EIO = 5;
    private static final int ENOSPC = 28;
    private static final int EDQUOT = 122;
    /** The file system has no fallocate (EOPNOTSUPP, which is ENOTSUP on Linux). */
    private static final int EOPNOTSUPP = 95;
    /** "Not supported" on some file systems and old kernels. */
    private static final int ENOSYS = 38;
    private static final int SYNC_FILE_RANGE_WAIT_BEFORE = 1;
    private static final int SYNC_FILE_RANGE_WRITE = 2;
    private static final int SYNC_FILE_RANGE_WAIT_AFTER = 4;
    private static final int POSIX_FADV_DONTNEED = 4;
    /** The page size of every Linux platform lunport runs on; a larger one only leaves a page's rest cached. */
    private static final long PAGE = 4096;

    /** The libc calls used, as jnr-ffi binds them. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int fallocate(int fd, int mode, @off_t long offset, @off_t long length);

        @SaveError
        int sync_file_range(int fd, @off_t long offset, @off_t long length, int flags);

        /** Answers the error number itself (0 when it succeeded); errno is not set. */
        int posix_fadvise(int fd, @off_t long offset, @off_t long length, int advice);

        int close(int fd);

        String strerror(int errno);
    }

    private final Path path;
    private final LibC libc;
    /** -1: the calls are not available and do nothing. */
    private final int fd;
    /** Cleared when the file system turns sync_file_range down (not an I/O error): the final fsync does it all. */
    private volatile boolean writeback = true;

    private NativeFile(Path path, LibC libc, int fd) {
        this.path = path;
        this.libc = libc;
        this.fd = fd;
    }

    /** Opens {@code path} for the calls; never fails (see the fallback above). */
    static NativeFile open(Path path) {
        LibC libc = Native.LIBC;
        int fd = libc == null ? -1 : libc.open(path.toString(), O_WRONLY | O_CLOEXEC);
        return new NativeFile(path, libc, fd);
    }

    /**
     * Allocates {@code [0, length)} (extending the file to {@code length} if shorter), leaving
     * any bytes already written as they are.
     *
     * @return false when the file system or platform cannot allocate without writing
     * @throws IOException when it can but failed (no space left: the export cannot fit), naming the file
     */
    boolean allocate(long length) throws IOException {
        if (fd < 0 || !FALLOCATE || length <= 0) {
            return false;
        }
        while (true) {
            if (libc.fallocate(fd, 0, 0, length) == 0) {
                return true;
            }
            int errno = lastError();
            if (errno == EOPNOTSUPP || errno == ENOSYS) {
                return false;
            }
            if (errno != EINTR) {
                throw new IOException(path + ": allocating " + length + " bytes failed: " + libc.strerror(errno));
            }
        }
    }

    /** Queues {@code [offset, offset + length)} for writing back without waiting; best effort. */
    void startWriteback(long offset, long length) {
        if (fd >= 0 && writeback && length > 0) {
            libc.sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE); // a failure shows in the wait
        }
    }

    /**
     * Waits until {@code [offset, offset + length)} is written back, then drops it from the page
     * cache. The range is widened to whole pages: a page the range shares with a neighbour's
     * would otherwise stay behind (the kernel drops only whole pages, and never a dirty one, so
     * a neighbour still writing there loses nothing).
     *
     * @throws IOException when writing the range back failed (an I/O error, no space), naming file and offset
     */
    void awaitWritebackAndDrop(long offset, long length) throws IOException {
        if (fd < 0 || !writeback || length <= 0) {
            return;
        }
        long end = (offset + length + PAGE - 1) & -PAGE;
        offset &= -PAGE;
        length = end - offset;
        int flags = SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER;
        while (libc.sync_file_range(fd, offset, length, flags) != 0) {
            int errno = lastError();
            if (errno == EIO || errno == ENOSPC || errno == EDQUOT) {
                throw new IOException(path + ": writing " + length + " bytes at offset " + offset
                        + " back to the device failed: " + libc.strerror(errno));
            }
            if (errno != EINTR) {
                writeback = false; // EINVAL, ESPIPE, ENOSYS: this file system has no such call
                return;
            }
        }
        libc.posix_fadvise(fd, offset, length, POSIX_FADV_DONTNEED); // advice: its failure changes nothing
    }

    private int lastError() {
        return jnr.ffi.Runtime.getRuntime(libc).getLastError();
    }

    @Override
    public void close() {
        if (fd >= 0) {
            libc.close(fd);
        }
    }

    /** libc, loaded once per process on first use; null when it cannot be. */
    private static final class Native {
        static final LibC LIBC = load();

        private static LibC load() {
            try {
                if (Platform.getNativePlatform().getOS() != Platform.OS.LINUX) {
                    return null;
                }
                return LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
            } catch (LinkageError | RuntimeException e) {
                return null;
            }
        }
    }
}
