package io.lunport.translation;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.List;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Platform;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import org.slf4j.LoggerFactory;

/**
 * Where a plain file has data and where it has holes, from Linux's
 * {@code lseek(fd, offset, SEEK_DATA / SEEK_HOLE)} called through jnr-ffi (Java 17 exposes
 * neither the calls nor a {@link java.nio.channels.FileChannel}'s descriptor, so each instance
 * opens a read-only descriptor of its own and closes it in {@link #close}).
 *
 * <p>A hole is reported as {@link Extent.Kind#UNALLOCATED}: the file stores nothing there and
 * a plain file has nothing below it, so it reads as zeros — the same answer a qcow2 or VHDX
 * base image gives for a cluster it never allocated.
 *
 * <p>Fallback: when the calls cannot be made — not Linux, libc not loadable through jnr, the
 * descriptor does not open, or the file system answers the first probe with an error such as
 * EINVAL — this instance reports every byte as DATA (what lunport did before, never wrong,
 * only less informative). That is decided once, when the instance opens, and logged once at
 * DEBUG. An unexpected error in a later query also answers DATA for what that query has left.
 *
 * <p>Thread-safety: with SEEK_DATA / SEEK_HOLE the offset argument is absolute, so the
 * descriptor's file position that lseek sets as a side effect is never read — concurrent
 * queries could not disturb each other's answers, and nothing reads bytes through this
 * descriptor. The methods are nevertheless {@code synchronized}, for one reason: so that
 * {@link #close} cannot release the descriptor number (which the process may then hand to
 * another file) while a query still uses it. Queries are not on a per-I/O path (export
 * planning, GET LBA STATUS, the VHDX view's block scan), so the lock costs nothing that
 * matters.
 */
public final class FileHoles implements Closeable {

    /* Linux's values; macOS swaps SEEK_DATA and SEEK_HOLE, one reason this is Linux-only. */
    private static final int O_RDONLY = 0;
    private static final int O_CLOEXEC = 0x80000;
    private static final int SEEK_DATA = 3;
    private static final int SEEK_HOLE = 4;
    /** lseek's "no data (or no hole) at or after this offset", i.e. the rest is a hole. */
    private static final int ENXIO = 6;

    /** The three libc calls used, as jnr-ffi binds them. */
    public interface LibC {
        @SaveError
        int open(String path, int flags);

        @SaveError
        @off_t
        long lseek(int fd, @off_t long offset, int whence);

        int close(int fd);
    }

    private final Path path;
    private final LibC libc;
    private int fd;

    private FileHoles(Path path, LibC libc, int fd) {
        this.path = path;
        this.libc = libc;
        this.fd = fd;
    }

    /**
     * Opens {@code path} for hole queries. Never fails: when holes cannot be found, the result
     * reports everything as DATA (see the class comment).
     */
    public static FileHoles open(Path path) {
        LibC libc = Native.LIBC;
        if (libc == null) {
            return unsupported(path, Native.reason);
        }
        int fd = libc.open(path.toString(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            return unsupported(path, "open(O_RDONLY) failed, errno " + lastError(libc));
        }
        // The probe: a file system that cannot answer SEEK_HOLE says so here (EINVAL), once.
        if (libc.lseek(fd, 0, SEEK_HOLE) < 0) {
            int errno = lastError(libc);
            if (errno != ENXIO) { // ENXIO: an empty file, which is supported
                libc.close(fd);
                return unsupported(path, "lseek(SEEK_HOLE) failed, errno " + errno);
            }
        }
        return new FileHoles(path, libc, fd);
    }

    /**
     * Starts loading the libc binding on a daemon thread, for a caller that will open a raw
     * image soon and has other work to do first: the first binding costs jnr-ffi tens of
     * milliseconds of code generation, which then overlaps that work instead of following it.
     */
    public static void preload() {
        Thread loader = new Thread(() -> {
            LibC ignored = Native.LIBC;
        }, "libc-preload");
        loader.setDaemon(true);
        loader.start();
    }

    private static FileHoles unsupported(Path path, String reason) {
        // The logger only here, not in a static field: a raw export's start-up need not configure logback.
        LoggerFactory.getLogger(FileHoles.class).debug("holes of {} cannot be found ({}): every byte is reported as data",
                path, reason);
        return new FileHoles(path, null, -1);
    }

    private static int lastError(LibC libc) {
        return jnr.ffi.Runtime.getRuntime(libc).getLastError();
    }

    /** Whether queries see the file's holes (false: everything is reported as DATA). */
    public synchronized boolean finds() {
        return fd >= 0;
    }

    /**
     * The DATA and UNALLOCATED runs of {@code [offset, offset + length)}, tiling it. A range
     * past the file's current end (it shrank) is a hole.
     */
    public synchronized List<Extent> extents(long offset, long length) {
        if (fd < 0) {
            return List.of(new Extent(offset, length, Extent.Kind.DATA));
        }
        long end = offset + length;
        Extents runs = new Extents();
        long pos = offset;
        while (pos < end) {
            long data = libc.lseek(fd, pos, SEEK_DATA);
            if (data < 0) {
                if (lastError(libc) != ENXIO) {
                    break;
                }
                data = end; // no data at or after pos
            }
            long dataStart = Math.min(data, end);
            runs.add(pos, dataStart - pos, Extent.Kind.UNALLOCATED);
            pos = dataStart;
            if (pos == end) {
                break;
            }
            long hole = libc.lseek(fd, pos, SEEK_HOLE);
            if (hole < 0) {
                if (lastError(libc) != ENXIO) {
                    break;
                }
                // The file was truncated under us: the rest is past its end.
                runs.add(pos, end - pos, Extent.Kind.UNALLOCATED);
                pos = end;
                break;
            }
            long dataEnd = Math.min(hole, end);
            runs.add(pos, dataEnd - pos, Extent.Kind.DATA);
            pos = dataEnd;
        }
        // Only after an unexpected error: what is left is answered conservatively.
        runs.add(pos, end - pos, Extent.Kind.DATA);
        return runs.build();
    }

    @Override
    public synchronized void close() {
        if (fd >= 0) {
            libc.close(fd);
            fd = -1;
        }
    }

    @Override
    public String toString() {
        return "FileHoles[" + path + "]";
    }

    /** libc, loaded once per process on first use; null (with the reason) when it cannot be. */
    private static final class Native {
        static String reason;
        static final LibC LIBC = load();

        private static LibC load() {
            try {
                Platform.OS os = Platform.getNativePlatform().getOS();
                if (os != Platform.OS.LINUX) {
                    reason = "SEEK_DATA is used on Linux only, this is " + os;
                    return null;
                }
                return LibraryLoader.create(LibC.class).load(Platform.getNativePlatform().getStandardCLibraryName());
            } catch (LinkageError | RuntimeException e) {
                reason = "libc not loadable through jnr-ffi: " + e;
                return null;
            }
        }
    }
}
