package io.lunport.it;

import static org.assertj.core.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs external initiator tools (iscsi-*, qemu-img, qemu-io, cmp) with a timeout and
 * captures what they print. A tool that fails makes the test fail with the command line
 * and everything the tool printed, so a red test explains itself.
 */
public final class Tools {

    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Tools() {}

    /** What a finished (or timed-out) command printed. */
    public record Result(List<String> command, int exitCode, boolean timedOut, String stdout, String stderr,
                         byte[] stdoutBytes) {
        public boolean ok() {
            return !timedOut && exitCode == 0;
        }

        /** stdout and stderr together, for matching and for failure messages. */
        public String output() {
            return stdout + stderr;
        }

        public String describe() {
            return "$ " + String.join(" ", command) + "\n"
                    + (timedOut ? "(timed out and killed)\n" : "exit code " + exitCode + "\n")
                    + "--- stdout ---\n" + stdout + "\n--- stderr ---\n" + stderr;
        }
    }

    /** Runs the command; the test fails (with its output) unless it exits 0 in time. */
    public static Result check(String... command) {
        return check(DEFAULT_TIMEOUT, command);
    }

    public static Result check(Duration timeout, String... command) {
        Result r = run(timeout, command);
        if (!r.ok()) {
            fail("command failed:\n" + r.describe());
        }
        return r;
    }

    /** Runs the command and returns whatever happened; the caller asserts. */
    public static Result run(Duration timeout, String... command) {
        return run(timeout, Arrays.asList(command));
    }

    public static Result run(Duration timeout, List<String> command) {
        return run(timeout, Map.of(), command);
    }

    /** The same with {@code environment} added to this process' environment (libiscsi reads mutual CHAP there). */
    public static Result run(Duration timeout, Map<String, String> environment, List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(environment);
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + command.get(0)
                    + " (is it installed? bin/test installs the initiator tools)", e);
        }
        Drain out = new Drain(p.getInputStream());
        Drain err = new Drain(p.getErrorStream());
        out.start();
        err.start();
        boolean finished;
        try {
            finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
            out.join(10_000);
            err.join(10_000);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command, e);
        }
        byte[] o = out.bytes();
        return new Result(List.copyOf(command), finished ? p.exitValue() : -1, !finished,
                new String(o, StandardCharsets.ISO_8859_1), new String(err.bytes(), StandardCharsets.ISO_8859_1), o);
    }

    /** Reads a stream to its end on its own thread, so a chatty tool never blocks on a full pipe. */
    private static final class Drain extends Thread {
        private final InputStream in;
        private final ByteArrayOutputStream buf = new ByteArrayOutputStream();

        Drain(InputStream in) {
            super("tool-drain");
            setDaemon(true);
            this.in = in;
        }

        @Override
        public void run() {
            byte[] b = new byte[8192];
            try (in) {
                int n;
                while ((n = in.read(b)) > 0) {
                    synchronized (buf) {
                        buf.write(b, 0, n);
                    }
                }
            } catch (IOException ignored) {
                // the process went away; keep what was read
            }
        }

        byte[] bytes() {
            synchronized (buf) {
                return buf.toByteArray();
            }
        }
    }
}
