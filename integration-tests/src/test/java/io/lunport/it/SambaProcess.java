package io.lunport.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's smbd on 127.0.0.1 and a free port, with a private smb.conf and its own lock, state,
 * cache, private and pid directories, sharing one directory as {@code share} to guests
 * (read-only; the guest is "nobody", so the shared FUSE mount must allow other users).
 * SMB 3 only, as Hyper-V speaks it. Stopped, with its children, by {@link #close()}.
 */
final class SambaProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private SambaProcess(Path shared, Path dir) throws IOException, InterruptedException {
        this.dir = dir;
        this.port = LunportProcess.freePort("127.0.0.1");
        for (String sub : new String[] {"lock", "state", "cache", "private", "pid", "log"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        Path conf = dir.resolve("smb.conf");
        Files.writeString(conf, String.join("\n",
                "[global]",
                "  server role = standalone server",
                "  map to guest = Bad User",
                "  guest account = nobody",
                "  smb ports = " + port,
                "  interfaces = 127.0.0.1",
                "  bind interfaces only = yes",
                "  server min protocol = SMB3_00",
                "  lock directory = " + dir.resolve("lock"),
                "  state directory = " + dir.resolve("state"),
                "  cache directory = " + dir.resolve("cache"),
                "  private dir = " + dir.resolve("private"),
                "  pid directory = " + dir.resolve("pid"),
                "  ncalrpc dir = " + dir.resolve("state"),
                "  log file = " + dir.resolve("log").resolve("smbd.log"),
                "  load printers = no",
                "  printing = bsd",
                "  printcap name = /dev/null",
                "  disable spoolss = yes",
                "[share]",
                "  path = " + shared,
                "  guest ok = yes",
                "  read only = yes",
                ""));
        // Its own process group (no --no-process-group): smbd signals its whole group when it stops,
        // which must not reach the test JVM and Maven.
        process = new ProcessBuilder("smbd", "--foreground", "-s", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("log").resolve("stdout").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                close();
                throw new AssertionError("smbd did not listen on 127.0.0.1:" + port + "; see " + dir.resolve("log"));
            }
            Thread.sleep(100);
        }
    }

    static SambaProcess share(Path shared, Path dir) {
        try {
            return new SambaProcess(shared, Itwork.fresh(dir));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    int port() {
        return port;
    }

    /** Runs smbclient commands ({@code -c}) on the share as a guest over SMB 3. */
    Tools.Result client(String commands) {
        return Tools.check(java.time.Duration.ofSeconds(120), "smbclient", "//127.0.0.1/share", "-p",
                Integer.toString(port), "-N", "-m", "SMB3", "-c", commands);
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }
}
