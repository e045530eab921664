package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One lunport server, started from the built jar as {@code java -jar lunport.jar serve ...}
 * on a free loopback port, and stopped with SIGTERM (then killed) on {@link #close()}.
 *
 * <p>Everything the server prints goes to {@code lunport.work/logs/NAME-N.log}; a server that
 * does not print its {@code lunport: serving} line within {@link #STARTUP_TIMEOUT} fails the
 * test with the tail of that log.
 */
public final class LunportProcess implements AutoCloseable {

    public static final String IQN_PREFIX = "iqn.2026-11.io.lunport:";
    static final Duration STARTUP_TIMEOUT = Duration.ofSeconds(30);
    static final Duration STOP_TIMEOUT = Duration.ofSeconds(20);
    private static final AtomicInteger SEQ = new AtomicInteger();

    private final Process process;
    private final int port;
    private final Integer port6;
    private final Integer metricsPort;
    private final Path log;
    private final Path stateDir;
    private final String servingLine;
    private boolean expectCleanExit = true;
    private boolean terminated;
    private Integer exitCode;

    private LunportProcess(Builder b) throws IOException {
        Path work = Itwork.dir();
        Path logs = Files.createDirectories(work.resolve("logs"));
        int n = SEQ.incrementAndGet();
        this.log = logs.resolve(b.name + "-" + n + ".log");
        this.stateDir = b.stateDir != null ? b.stateDir : Itwork.fresh(work.resolve("state").resolve(b.name + "-" + n));
        // Held open together so that no two of them can be the same port.
        try (ServerSocket p = bound("127.0.0.1"); ServerSocket p6 = b.ipv6 ? bound("::1") : null;
             ServerSocket m = b.metrics ? bound("127.0.0.1") : null) {
            this.port = p.getLocalPort();
            this.port6 = p6 == null ? null : p6.getLocalPort();
            this.metricsPort = m == null ? null : m.getLocalPort();
        }

        List<String> cmd = new ArrayList<>(List.of(javaBin()));
        cmd.addAll(b.jvmArgs);
        cmd.addAll(List.of("-jar", jar().toString(), "serve", "--listen", "127.0.0.1:" + port));
        if (port6 != null) {
            cmd.addAll(List.of("--listen", "[::1]:" + port6));
        }
        cmd.addAll(List.of("--state-dir", stateDir.toString()));
        if (metricsPort != null) {
            cmd.addAll(List.of("--metrics-listen", "127.0.0.1:" + metricsPort));
        }
        b.luns.forEach((name, path) -> cmd.addAll(List.of("--lun", name + "=" + path)));
        cmd.addAll(b.extraArgs);

        if (b.sighupIgnored) {
            cmd.addAll(0, List.of("sh", "-c", "trap '' HUP; exec \"$@\"", "sh")); // exec: the pid stays the server's
        }
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8);
        this.process = new ProcessBuilder(cmd)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();

        CountDownLatch serving = new CountDownLatch(1);
        AtomicReference<String> line = new AtomicReference<>();
        pump(process.getInputStream(), "out", serving, line);
        pump(process.getErrorStream(), "err", null, null);
        try {
            long deadline = System.nanoTime() + STARTUP_TIMEOUT.toNanos();
            while (!serving.await(100, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    String why = process.isAlive() ? "did not print 'lunport: serving' within " + STARTUP_TIMEOUT
                            : "exited with code " + process.exitValue() + " before serving";
                    destroy();
                    throw new AssertionError("lunport " + why + "\n" + tail());
                }
            }
        } catch (InterruptedException e) {
            destroy();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        this.servingLine = line.get();
    }

    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** The IPv4 loopback port the server listens on. */
    public int port() {
        return port;
    }

    /** The [::1] port, when the builder asked for an IPv6 portal. */
    public int port6() {
        if (port6 == null) {
            throw new IllegalStateException("no IPv6 portal");
        }
        return port6;
    }

    public String portal() {
        return "127.0.0.1:" + port;
    }

    public static String iqn(String name) {
        return IQN_PREFIX + name;
    }

    /** {@code iscsi://127.0.0.1:PORT/iqn.2026-11.io.lunport:NAME/0}. */
    public String url(String name) {
        return "iscsi://" + portal() + "/" + iqn(name) + "/0";
    }

    /** The same with CHAP credentials in libiscsi's {@code user%password@} form. */
    public String url(String name, String user, String secret) {
        return "iscsi://" + user + "%" + secret + "@" + portal() + "/" + iqn(name) + "/0";
    }

    /** The discovery portal URL, {@code iscsi://127.0.0.1:PORT}. */
    public String portalUrl() {
        return "iscsi://" + portal();
    }

    public String servingLine() {
        return servingLine;
    }

    public Path stateDir() {
        return stateDir;
    }

    public Path log() {
        return log;
    }

    /** The server's process id, for signals such as SIGHUP ({@code kill -HUP PID}). */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL now, as a crash or power cut would stop it: no shutdown hook, no flush. */
    public void kill() {
        expectCleanExit = false;
        process.destroyForcibly();
        try {
            exitCode = process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        appendLog("[harness] killed with SIGKILL");
    }

    /** http://127.0.0.1:PORT of the metrics endpoint (the builder's {@code metrics()}), without a path. */
    public String metricsUrl() {
        assertThat(metricsPort).as("server started without metrics()").isNotNull();
        return "http://127.0.0.1:" + metricsPort;
    }

    /** Sends SIGTERM and returns at once; {@link #stop()} or {@link #close()} then wait for the exit. */
    public void sigterm() {
        if (terminated) {
            return;
        }
        terminated = true;
        appendLog("[harness] SIGTERM");
        // Through the handle: Process.destroy() would also close our end of the server's stdout
        // and stderr, and what it logs while stopping would be lost.
        process.toHandle().destroy();
    }

    /** For tests that expect the server to die: close() then does not assert exit code 0. */
    public void expectUncleanExit() {
        this.expectCleanExit = false;
    }

    /** SIGTERM, wait, then SIGKILL. Returns the exit code (137 etc. when it had to be killed). */
    public int stop() {
        if (exitCode != null) {
            return exitCode;
        }
        try {
            if (process.isAlive()) {
                sigterm();
                if (!process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    appendLog("[harness] no exit " + STOP_TIMEOUT + " after SIGTERM: killing");
                    destroy();
                    exitCode = -9;
                    return exitCode;
                }
            }
            exitCode = process.waitFor();
        } catch (InterruptedException e) {
            destroy();
            Thread.currentThread().interrupt();
            exitCode = -1;
        }
        appendLog("[harness] exit code " + exitCode);
        return exitCode;
    }

    @Override
    public void close() {
        int code = stop();
        if (expectCleanExit) {
            assertThat(code).as("lunport exit code after SIGTERM (log %s)\n%s", log, tail()).isZero();
        }
    }

    /** The last lines of the server log, for failure messages. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- " + log + " (last lines) ---\n"
                    + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void destroy() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void pump(InputStream in, String tag, CountDownLatch serving, AtomicReference<String> line) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String s;
                while ((s = r.readLine()) != null) {
                    appendLog(tag + ": " + s);
                    if (serving != null && s.startsWith("lunport: serving") && serving.getCount() > 0) {
                        line.set(s);
                        serving.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "lunport-" + tag);
        t.setDaemon(true);
        t.start();
    }

    private synchronized void appendLog(String s) {
        try (OutputStream o = Files.newOutputStream(log, StandardOpenOption.APPEND)) {
            o.write((s + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException ignored) {
            // logging must never break a test
        }
    }

    /** Runs {@code java -jar lunport.jar ARGS} to its end, for commands that are to fail or exit. */
    public static Tools.Result runCli(Duration timeout, String... args) {
        List<String> cmd = new ArrayList<>(List.of(javaBin(), "-jar", jar().toString()));
        cmd.addAll(List.of(args));
        return Tools.run(timeout, cmd);
    }

    static Path jar() {
        String p = System.getProperty("lunport.jar");
        assertThat(p).as("system property lunport.jar (set by integration-tests/pom.xml)").isNotBlank();
        Path jar = Path.of(p).toAbsolutePath().normalize();
        assertThat(jar).as("the server jar; build it with mvn -B package").isRegularFile();
        return jar;
    }

    private static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Binds port 0 on the loopback address, closes, and returns the port it got. */
    static int freePort(String host) throws IOException {
        try (ServerSocket s = bound(host)) {
            return s.getLocalPort();
        }
    }

    /** A socket bound to a free port on {@code host}; closing it frees the port for the server. */
    private static ServerSocket bound(String host) throws IOException {
        ServerSocket s = new ServerSocket();
        try {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    public static final class Builder {
        private final String name;
        private final Map<String, Path> luns = new LinkedHashMap<>();
        private final List<String> extraArgs = new ArrayList<>();
        private final List<String> jvmArgs = new ArrayList<>();
        private Path stateDir;
        private boolean ipv6;
        private boolean metrics;
        private boolean sighupIgnored;

        private Builder(String name) {
            this.name = name;
        }

        /** {@code --lun NAME=PATH}: target iqn.2026-11.io.lunport:NAME, LUN 0. */
        public Builder lun(String lunName, Path image) {
            luns.put(lunName, image.toAbsolutePath());
            return this;
        }

        public Builder direct() {
            return arg("--direct");
        }

        public Builder readOnly() {
            return arg("--read-only");
        }

        /** {@code --config FILE}; the builder's --listen and --state-dir still replace the file's. */
        public Builder config(Path file) {
            return arg("--config").arg(file.toAbsolutePath().toString());
        }

        public Builder chap(String user, String secret) {
            return arg("--chap-user").arg(user).arg("--chap-secret").arg(secret);
        }

        public Builder mutual(String user, String secret) {
            return arg("--mutual-user").arg(user).arg("--mutual-secret").arg(secret);
        }

        /** Serve metrics over HTTP on a free loopback port ({@link #metricsUrl()}). */
        public Builder metrics() {
            this.metrics = true;
            return this;
        }

        /** Starts the server as nohup would: from a shell that ignores SIGHUP and then execs java. */
        public Builder sighupIgnored() {
            this.sighupIgnored = true;
            return this;
        }

        /** Also listen on [::1] on another free port. */
        public Builder ipv6() {
            this.ipv6 = true;
            return this;
        }

        public Builder stateDir(Path dir) {
            this.stateDir = dir;
            return this;
        }

        public Builder arg(String a) {
            extraArgs.add(a);
            return this;
        }

        /** A JVM option such as {@code -Dlunport.idleSeconds=1}, placed before {@code -jar}. */
        public Builder jvmArg(String a) {
            jvmArgs.add(a);
            return this;
        }

        public LunportProcess start() {
            try {
                return new LunportProcess(this);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
