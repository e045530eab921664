package io.lunport.pluginfs;

import io.lunport.translation.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import ru.serce.jnrfuse.FuseException;

/**
 * A mounted plugin file system: opens one {@link PluginFile} per image, mounts them at a
 * directory, and on {@link #close()} unmounts first (no new requests) and then closes the
 * files (flushing every overlay). A shutdown hook does the same when the JVM exits any other
 * way than SIGKILL; after a SIGKILL the kernel keeps a dead mount point that
 * {@code fusermount -u DIR} removes.
 *
 * <p>Mount options: {@code allow_other} (an SMB server's guest account, or a hypervisor
 * running as another user, must enter the mount; non-root users need {@code user_allow_other}
 * in /etc/fuse.conf), {@code default_permissions} (the kernel checks the modes the files
 * show, since this file system checks none itself), {@code use_ino} (the inode numbers the
 * files give are the ones callers see) and {@code big_writes} (writes up to 128 KiB per request).
 *
 * <p>Single-threaded ({@code -s}): libfuse 2's multi-threaded loop starts and ends worker
 * threads all the time, and each new native thread must be attached to the JVM before it can
 * call into Java; measured here, {@code qemu-img convert} of a mounted 256 MiB file took 10 s
 * multi-threaded and 1.6 s single-threaded. The cost: requests are served one at a time, so a
 * slow payload read (a cold backup) delays the requests behind it.
 */
public final class PluginMount implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(PluginMount.class);
    private static final String[] OPTIONS = {
            "-s", "-o", "allow_other,default_permissions,use_ino,big_writes,fsname=lunport,subtype=lunport"};
    /** How long the kernel may take to initialize a fresh mount (it takes milliseconds unless the machine is swamped). */
    private static final Duration INIT_TIMEOUT = Duration.ofSeconds(60);

    private final Path dir;
    private final List<PluginFile> files;
    private final PluginFileSystem fs;
    private final Thread shutdownHook;
    private boolean closed;

    private PluginMount(Path dir, List<PluginFile> files, PluginFileSystem fs) {
        this.dir = dir;
        this.files = files;
        this.fs = fs;
        this.shutdownHook = new Thread(this::closeQuietly, "lunport-unmount");
    }

    /**
     * Opens the images' files (their state in {@code stateDir}) and mounts them at {@code dir}.
     * On failure nothing stays mounted or open.
     */
    public static PluginMount mount(Path dir, List<ImageSpec> images, Path stateDir, ViewFactory factory)
            throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IOException("mount point " + dir + " is not a directory");
        }
        List<PluginFile> files = new ArrayList<>();
        try {
            for (ImageSpec spec : images) {
                files.add(PluginFile.open(spec.name(), spec.image(), stateDir, factory));
            }
            PluginFileSystem fs = new PluginFileSystem(files, stateDir);
            PluginMount mount = new PluginMount(dir.toAbsolutePath(), files, fs);
            try {
                fs.mount(mount.dir, false, false, OPTIONS);
            } catch (FuseException e) {
                throw new IOException("cannot mount at " + dir + ": " + e.getMessage()
                        + " (is /dev/fuse there, libfuse2 installed, and the directory empty and not mounted?)", e);
            }
            // jnr-fuse returns once libfuse has not failed for two seconds, mounted or not yet:
            // the mount is only known to be there when the kernel's FUSE_INIT has arrived.
            awaitInitialized(mount);
            Runtime.getRuntime().addShutdownHook(mount.shutdownHook);
            return mount;
        } catch (IOException | RuntimeException e) {
            for (PluginFile file : files) {
                try {
                    file.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static void awaitInitialized(PluginMount mount) throws IOException {
        boolean initialized;
        try {
            initialized = mount.fs.awaitInitialized(INIT_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            initialized = false;
        }
        if (!initialized) {
            IOException failure = new IOException("cannot mount at " + mount.dir
                    + ": the kernel did not initialize the file system within " + INIT_TIMEOUT.toSeconds() + " s");
            try {
                mount.fs.umount();
            } catch (RuntimeException e) {
                failure.addSuppressed(e);
            }
            throw failure;
        }
    }

    public Path dir() {
        return dir;
    }

    public List<PluginFile> files() {
        return List.copyOf(files);
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // the JVM is shutting down: this is the hook running
        }
        IOException failure = null;
        try {
            fs.umount();
        } catch (RuntimeException e) {
            failure = new IOException("unmounting " + dir + " failed: " + e.getMessage()
                    + " (fusermount -u " + dir + " removes the mount)", e);
        }
        Closeables.closeAll(failure, files);
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException e) {
            log.error("{}", e.getMessage());
        }
    }
}
