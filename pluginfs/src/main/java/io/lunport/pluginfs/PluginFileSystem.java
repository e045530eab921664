package io.lunport.pluginfs;

import io.lunport.device.NoSpaceException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.ErrorCodes;
import ru.serce.jnrfuse.FuseFillDir;
import ru.serce.jnrfuse.FuseStubFS;
import ru.serce.jnrfuse.struct.FileStat;
import ru.serce.jnrfuse.struct.FuseFileInfo;
import ru.serce.jnrfuse.struct.Statvfs;

/**
 * The FUSE face of the mount: one directory holding one {@link PluginFile} per image. Turns
 * paths into files, {@link IOException}s into errno values, and copies between libfuse's
 * buffers and the overlay through pooled direct buffers ({@link IoBufferPool}: no garbage per I/O).
 *
 * <p>Attributes are what a Windows host needs to accept the file as a VHDX: the logical length,
 * {@code st_blocks} covering the whole length (never sparse-looking), an inode number derived
 * from the name (stable across mounts; the mount uses {@code use_ino}) and times from the image
 * and the last write. No extended attributes are handed out: Samba derives the DOS attributes
 * from {@code user.DOSATTRIB}, and must never find the sparse bit (0x200) there, since Hyper-V
 * refuses a sparse VHDX; setting them is refused for the same reason.
 *
 * <p>Locking: none here; every callback may run on any of libfuse's threads, and the files
 * are thread-safe.
 */
public final class PluginFileSystem extends FuseStubFS {

    private static final Logger log = LoggerFactory.getLogger(PluginFileSystem.class);
    private static final long ROOT_INODE = 1;
    private static final int BLOCK = 4096;

    private final Map<String, PluginFile> files = new LinkedHashMap<>();
    private final Map<String, Long> inodes = new LinkedHashMap<>();
    private final Path stateDir;
    private final int uid;
    private final int gid;
    private final IoBufferPool buffers = new IoBufferPool();
    /** Counted down by the kernel's FUSE_INIT: the mount is in place and is served from then on. */
    private final CountDownLatch initialized = new CountDownLatch(1);

    /** {@code files} by name ({@code NAME.vhdx}); writes need room in {@code stateDir}. */
    public PluginFileSystem(List<PluginFile> files, Path stateDir) throws IOException {
        for (PluginFile file : files) {
            if (this.files.putIfAbsent("/" + file.name(), file) != null) {
                throw new IllegalArgumentException("two images named " + file.name());
            }
            inodes.put("/" + file.name(), inodeOf(file.name()));
        }
        this.stateDir = stateDir;
        this.uid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        this.gid = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:gid");
    }

    /**
     * The kernel's first request, FUSE_INIT: it comes once the mount exists. Returns no
     * private data, as FuseStubFS does.
     */
    @Override
    public Pointer init(Pointer conn) {
        initialized.countDown();
        return null;
    }

    /** Waits up to {@code millis} for {@link #init}; returns whether it came. */
    boolean awaitInitialized(long millis) throws InterruptedException {
        return initialized.await(millis, TimeUnit.MILLISECONDS);
    }

    /** A stable inode number for {@code name}: 63 bits of its SHA-256, above the root's. */
    static long inodeOf(String name) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(name.getBytes(StandardCharsets.UTF_8));
            long value = ByteBuffer.wrap(digest).getLong() & Long.MAX_VALUE;
            return Math.max(value, ROOT_INODE + 1);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    @Override
    public int getattr(String path, FileStat stat) {
        if (path.equals("/")) {
            stat.st_mode.set(FileStat.S_IFDIR | 0755);
            stat.st_nlink.set(2);
            stat.st_ino.set(ROOT_INODE);
            stat.st_uid.set(uid);
            stat.st_gid.set(gid);
            long newest = 0;
            for (PluginFile file : files.values()) {
                newest = Math.max(newest, file.mtimeMillis());
            }
            setTimes(stat, newest);
            return 0;
        }
        PluginFile file = files.get(path);
        if (file == null) {
            return -ErrorCodes.ENOENT();
        }
        long length = file.length();
        stat.st_mode.set(FileStat.S_IFREG | 0644);
        stat.st_nlink.set(1);
        stat.st_ino.set(inodes.get(path));
        stat.st_uid.set(uid);
        stat.st_gid.set(gid);
        stat.st_size.set(length);
        stat.st_blksize.set(BLOCK);
        stat.st_blocks.set((length + 511) / 512); // fully allocated: no tool may take it for sparse
        setTimes(stat, file.mtimeMillis());
        return 0;
    }

    private static void setTimes(FileStat stat, long millis) {
        long seconds = Math.floorDiv(millis, 1000);
        long nanos = Math.floorMod(millis, 1000) * 1_000_000L;
        stat.st_mtim.tv_sec.set(seconds);
        stat.st_mtim.tv_nsec.set(nanos);
        stat.st_ctim.tv_sec.set(seconds);
        stat.st_ctim.tv_nsec.set(nanos);
        stat.st_atim.tv_sec.set(seconds);
        stat.st_atim.tv_nsec.set(nanos);
    }

    @Override
    public int readdir(String path, Pointer buf, FuseFillDir filter, @off_t long offset, FuseFileInfo fi) {
        if (!path.equals("/")) {
            return files.containsKey(path) ? -ErrorCodes.ENOTDIR() : -ErrorCodes.ENOENT();
        }
        filter.apply(buf, ".", null, 0);
        filter.apply(buf, "..", null, 0);
        for (PluginFile file : files.values()) {
            filter.apply(buf, file.name(), null, 0);
        }
        return 0;
    }

    @Override
    public int open(String path, FuseFileInfo fi) {
        if (path.equals("/")) {
            return -ErrorCodes.EISDIR();
        }
        return files.containsKey(path) ? 0 : -ErrorCodes.ENOENT();
    }

    @Override
    public int read(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return transfer("read", path, buf, size, offset, PluginFileSystem::readPiece);
    }

    @Override
    public int write(String path, Pointer buf, @size_t long size, @off_t long offset, FuseFileInfo fi) {
        return transfer("write", path, buf, size, offset, PluginFileSystem::writePiece);
    }

    /**
     * One piece of a read or a write: moves up to {@code length} bytes between the file at
     * {@code at} and libfuse's buffer at {@code bufOffset}, through {@code io}; returns how many
     * (fewer only when the file ends). The implementations are static, so passing one allocates nothing.
     */
    @FunctionalInterface
    private interface Piece {
        int move(PluginFile file, Pointer buf, int bufOffset, IoBufferPool.IoBuffer io, long at, int length)
                throws IOException;
    }

    private static int readPiece(PluginFile file, Pointer buf, int bufOffset, IoBufferPool.IoBuffer io, long at, int length)
            throws IOException {
        io.buffer.clear().limit(length);
        int n = Math.max(file.read(at, io.buffer), 0);
        buf.transferFrom(bufOffset, io.pointer, 0, n);
        return n;
    }

    private static int writePiece(PluginFile file, Pointer buf, int bufOffset, IoBufferPool.IoBuffer io, long at, int length)
            throws IOException {
        buf.transferTo(bufOffset, io.pointer, 0, length);
        io.buffer.clear().limit(length);
        file.write(at, io.buffer);
        return length;
    }

    /** A read or write of {@code size} bytes, in pieces of at most one pooled buffer. */
    private int transfer(String operation, String path, Pointer buf, long size, long offset, Piece piece) {
        PluginFile file = files.get(path);
        if (file == null) {
            return -ErrorCodes.ENOENT();
        }
        IoBufferPool.IoBuffer io = buffers.take();
        int done = 0;
        try {
            while (done < size) {
                int chunk = (int) Math.min(size - done, IoBufferPool.BUFFER_SIZE);
                int n = piece.move(file, buf, done, io, offset + done, chunk);
                done += n;
                if (n < chunk) {
                    break;
                }
            }
            return done;
        } catch (IOException | RuntimeException e) {
            return errno(operation, file, offset, e);
        } finally {
            buffers.give(io);
        }
    }

    @Override
    public int truncate(String path, @off_t long size) {
        PluginFile file = files.get(path);
        if (file == null) {
            return path.equals("/") ? -ErrorCodes.EISDIR() : -ErrorCodes.ENOENT();
        }
        try {
            file.truncate(size);
            return 0;
        } catch (IOException | RuntimeException e) {
            return errno("truncate", file, size, e);
        }
    }

    @Override
    public int ftruncate(String path, @off_t long size, FuseFileInfo fi) {
        return truncate(path, size);
    }

    @Override
    public int fsync(String path, int isdatasync, FuseFileInfo fi) {
        return flushFile(path);
    }

    /** Every close flushes, so that a host closing the file finds it durable (close-to-open). */
    @Override
    public int flush(String path, FuseFileInfo fi) {
        return flushFile(path);
    }

    private int flushFile(String path) {
        PluginFile file = files.get(path);
        if (file == null) {
            return -ErrorCodes.ENOENT();
        }
        try {
            file.flush();
            return 0;
        } catch (IOException | RuntimeException e) {
            return errno("flush", file, 0, e);
        }
    }

    @Override
    public int release(String path, FuseFileInfo fi) {
        return 0;
    }

    /** Times are the image's and the last write's; setting them is accepted and has no effect. */
    @Override
    public int utimens(String path, ru.serce.jnrfuse.struct.Timespec[] timespec) {
        return files.containsKey(path) || path.equals("/") ? 0 : -ErrorCodes.ENOENT();
    }

    /**
     * Blocks: the files' lengths plus what the state directory has free, since writes land
     * there; free and available: the state directory's. One inode per file, none free.
     */
    @Override
    public int statfs(String path, Statvfs stbuf) {
        long used = 0;
        for (PluginFile file : files.values()) {
            used += (file.length() + BLOCK - 1) / BLOCK;
        }
        long free = 0;
        long available = 0;
        try {
            FileStore store = Files.getFileStore(stateDir);
            free = store.getUnallocatedSpace() / BLOCK;
            available = store.getUsableSpace() / BLOCK;
        } catch (IOException e) {
            log.warn("statfs: cannot read the free space of {}: {}", stateDir, e.getMessage());
        }
        stbuf.f_bsize.set(BLOCK);
        stbuf.f_frsize.set(BLOCK);
        stbuf.f_blocks.set(used + free);
        stbuf.f_bfree.set(free);
        stbuf.f_bavail.set(available);
        stbuf.f_files.set(files.size() + 1);
        stbuf.f_ffree.set(0);
        stbuf.f_favail.set(0);
        stbuf.f_namemax.set(255);
        return 0;
    }

    // ---- extended attributes: none, and none may be set (see the class comment) ----

    @Override
    public int getxattr(String path, String name, Pointer value, @size_t long size) {
        return exists(path) ? -ErrorCodes.ENODATA() : -ErrorCodes.ENOENT();
    }

    @Override
    public int listxattr(String path, Pointer list, @size_t long size) {
        return exists(path) ? 0 : -ErrorCodes.ENOENT();
    }

    @Override
    public int setxattr(String path, String name, Pointer value, @size_t long size, int flags) {
        return exists(path) ? -ErrorCodes.ENOTSUP() : -ErrorCodes.ENOENT();
    }

    @Override
    public int removexattr(String path, String name) {
        return exists(path) ? -ErrorCodes.ENODATA() : -ErrorCodes.ENOENT();
    }

    // ---- the set of files is fixed by the mount ----

    @Override
    public int create(String path, @jnr.ffi.types.mode_t long mode, FuseFileInfo fi) {
        return -ErrorCodes.EPERM();
    }

    @Override
    public int mknod(String path, @jnr.ffi.types.mode_t long mode, @jnr.ffi.types.dev_t long rdev) {
        return -ErrorCodes.EPERM();
    }

    @Override
    public int mkdir(String path, @jnr.ffi.types.mode_t long mode) {
        return -ErrorCodes.EPERM();
    }

    @Override
    public int unlink(String path) {
        return -ErrorCodes.EPERM();
    }

    @Override
    public int rmdir(String path) {
        return -ErrorCodes.EPERM();
    }

    @Override
    public int rename(String oldpath, String newpath) {
        return -ErrorCodes.EPERM();
    }

    private boolean exists(String path) {
        return path.equals("/") || files.containsKey(path);
    }

    /** Errors are rare and each one matters: logged once per failed request, with what and where. */
    private static int errno(String operation, PluginFile file, long offset, Exception e) {
        if (e instanceof FileTooLargeException) {
            return -ErrorCodes.EFBIG();
        }
        if (e instanceof NoSpaceException) {
            log.error("{} {} at offset {}: {}", operation, file.name(), offset, e.getMessage());
            return -ErrorCodes.ENOSPC();
        }
        log.error("{} {} at offset {} failed: {}", operation, file.name(), offset, e.toString(), e);
        return -ErrorCodes.EIO();
    }
}
