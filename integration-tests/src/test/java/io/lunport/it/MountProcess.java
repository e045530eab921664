package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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

/**
 * {@code lunport mount DIR} as a separate process: started, waited for until it prints
 * {@code lunport: mounted}, and stopped by the test that started it. {@link #close()} sends
 * SIGTERM and expects exit 0 and the mount gone; after {@link #kill()} it removes the dead
 * mount with {@code fusermount -u}, as an operator would.
 */
final class MountProcess implements AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Duration STOP = Duration.ofSeconds(30);

    private final Process process;
    private final Path dir;
    private final Path log;
    private boolean killed;

    private MountProcess(Path dir, List<String> options, Path log) throws IOException {
        this.dir = dir;
        this.log = log;
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", LunportProcess.jar().toString(), "mount", dir.toString()));
        cmd.addAll(options);
        Files.writeString(log, "$ " + String.join(" ", cmd) + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        process = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CountDownLatch mounted = new CountDownLatch(1);
        Thread pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    appendLog(line);
                    if (line.startsWith("lunport: mounted")) {
                        mounted.countDown();
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
        }, "mount-log");
        pump.setDaemon(true);
        pump.start();
        try {
            long deadline = System.nanoTime() + STARTUP.toNanos();
            while (!mounted.await(100, TimeUnit.MILLISECONDS)) {
                if (!process.isAlive() || System.nanoTime() > deadline) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                    unmountIfMounted();
                    throw new AssertionError("lunport mount did not print 'lunport: mounted'\n" + tail());
                }
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Mounts {@code images} (NAME to image) at {@code dir}, state in {@code stateDir}. */
    static MountProcess start(Path dir, Path stateDir, Map<String, Path> images) {
        List<String> options = new ArrayList<>(List.of("--state-dir", stateDir.toString()));
        new LinkedHashMap<>(images).forEach((name, image) -> options.addAll(List.of("--lun", name + "=" + image.toAbsolutePath())));
        return start(dir, options);
    }

    /** Mounts the LUNs of configuration file {@code config} at {@code dir}, state where the file says. */
    static MountProcess startWithConfig(Path dir, Path config) {
        return start(dir, List.of("--config", config.toString()));
    }

    private static MountProcess start(Path dir, List<String> options) {
        try {
            Files.createDirectories(dir);
            Path logs = Files.createDirectories(Itwork.dir().resolve("logs"));
            return new MountProcess(dir, options, logs.resolve("mount-" + dir.getFileName() + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path file(String name) {
        return dir.resolve(name + ".vhdx");
    }

    /** SIGKILL: no shutdown hook, no flush; the kernel keeps a dead mount point. */
    void kill() throws InterruptedException {
        killed = true;
        process.destroyForcibly().waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS);
        appendLog("[harness] killed with SIGKILL");
    }

    /** SIGTERM; expects exit 0 and the mount gone (after {@link #kill()}: only removes the dead mount). */
    @Override
    public void close() throws Exception {
        try {
            if (!killed) {
                process.destroy();
                boolean exited = process.waitFor(STOP.toMillis(), TimeUnit.MILLISECONDS);
                if (!exited) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                appendLog("[harness] exit code " + (exited ? process.exitValue() : "none: killed"));
                assertThat(exited).as("lunport mount exits after SIGTERM\n%s", tail()).isTrue();
                assertThat(process.exitValue()).as("exit code after SIGTERM\n%s", tail()).isZero();
                assertThat(mounted()).as("%s unmounted after SIGTERM", dir).isFalse();
            }
        } finally {
            unmountIfMounted();
        }
    }

    /** From /proc/mounts, which also lists a dead mount (whose directory cannot even be stat'ed). */
    boolean mounted() {
        try {
            String target = " " + dir.toAbsolutePath() + " ";
            return Files.readAllLines(Path.of("/proc/mounts")).stream().anyMatch(l -> l.contains(target));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void unmountIfMounted() {
        if (mounted()) {
            Tools.run(Duration.ofSeconds(20), "fusermount", "-u", "-z", dir.toString());
        }
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "--- " + log + " ---\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private synchronized void appendLog(String line) {
        try {
            Files.writeString(log, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException ignored) {
            // logging must never break a test
        }
    }
}
