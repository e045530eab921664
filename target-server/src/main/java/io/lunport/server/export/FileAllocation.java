package io.lunport.server.export;

import java.io.IOException;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;

/**
 * Allocates a file's blocks without writing them, with Linux's {@code fallocate(fd, 0, 0,
 * length)} called through jnr-ffi (Java 17 exposes neither the call nor a
 * {@link java.nio.channels.FileChannel}'s descriptor, so the file is opened once more for the
 * call). The blocks come as unwritten extents: they read as zeros and count in {@code stat}'s
 * blocks, so the file is not sparse, yet no byte went to the device.
 *
 * <p>Why: a VHDX file must hold no hole (Windows refuses sparse VHDX files), and writing the
 * zero runs inside its stored blocks costs as much disk bandwidth as data. With the file
 * allocated first, an export writes only the bytes that are not zeros.
 *
 * <p>Fallback: where the call cannot be made (not Linux, libc not loadable, a file system
 * without fallocate: EOPNOTSUPP) {@link #allocate} answers false and the caller writes the
 * zeros. {@code -Dlunport.export.fallocate=false} forces that, to measure the difference.
 */
final class FileAllocation {

    /** Whether exports try fallocate at all. */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("lunport.export.fallocate", "true"));

    /* Linux's values. */
    private static final int O_WRONLY = 1;
    private static final int O_CLOEXEC = 0x80000;
    private static final int EINTR = 4;
    /** The file system has no fallocate (EOPNOTSUPP, which is ENOTSUP on Linux). */
    private static final int EOPNOTSUPP = 95;
    /** fallocate's "not supported" on some file systems and old kernels. */
    private static final int ENOSYS = 38;

    /** The libc calls used, as jnr-ffi binds them. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        int fallocate(int fd, int mode, @off_t long offset, @off_t long length);

        int close(int fd);

        String strerror(int errno);
    }

    private FileAllocation() {
    }

    /**
     * Allocates {@code [0, length)} of {@code path} (extending it to {@code length} if shorter),
     * leaving any bytes already written as they are.
     *
     * @return false when the file system or platform cannot allocate without writing
     * @throws IOException when it can but failed (no space left: the export cannot fit), naming the file
     */
    static boolean allocate(Path path, long length) throws IOException {
        LibC libc = Native.LIBC;
        if (libc == null || length <= 0) {
            return false;
        }
        int fd = libc.open(path.toString(), O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            return false; // the copy's own writes will report what is wrong with the file
        }
        try {
            while (true) {
                if (libc.fallocate(fd, 0, 0, length) == 0) {
                    return true;
                }
                int errno = jnr.ffi.Runtime.getRuntime(libc).getLastError();
                if (errno == EOPNOTSUPP || errno == ENOSYS) {
                    return false;
                }
                if (errno != EINTR) {
                    throw new IOException(path + ": allocating " + length + " bytes failed: " + libc.strerror(errno));
                }
            }
        } finally {
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
