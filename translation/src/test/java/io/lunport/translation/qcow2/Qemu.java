package io.lunport.translation.qcow2;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * qemu-img and qemu-io, the oracle for qcow2: they make the test images, and
 * {@code qemu-img convert -O raw} says what every byte of an image (through its chain) is.
 * Tests that need them are skipped where qemu-utils is not installed (CI installs it).
 */
final class Qemu {

    private Qemu() {
    }

    /** The oracle must be there: a missing qemu fails the tests rather than skipping them (bin/test installs it). */
    static void assumeInstalled() {
        assertThat(onPath("qemu-img") && onPath("qemu-io")).as("qemu-img and qemu-io (Debian qemu-utils) are installed").isTrue();
    }

    private static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
                return true;
            }
        }
        return false;
    }

    /** Runs a command, fails the test unless it exits 0, returns its stdout. */
    static String run(String... command) {
        return runIn(null, command);
    }

    /**
     * Runs a command in {@code dir} (null: the current one). qemu 7.2 resolves a relative
     * external data file name against its working directory, so the tools run beside the image.
     */
    static String runIn(Path dir, String... command) {
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
            if (dir != null) {
                builder.directory(dir.toFile());
            }
            Process p = builder.start();
            byte[] out = p.getInputStream().readAllBytes();
            assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("%s finished", String.join(" ", command)).isTrue();
            String text = new String(out, StandardCharsets.UTF_8);
            assertThat(p.exitValue()).as("exit code of %s, output:%n%s", String.join(" ", command), text).isZero();
            return text;
        } catch (IOException e) {
            throw new AssertionError(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    static String img(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add("qemu-img");
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    /** qemu-io commands (each a -c) on {@code image} of format {@code format}, opened read-write. */
    static void io(Path image, String format, String... commands) {
        List<String> cmd = new ArrayList<>(List.of("qemu-io", "-f", format));
        for (String c : commands) {
            cmd.add("-c");
            cmd.add(c);
        }
        cmd.add(image.toString());
        runIn(image.toAbsolutePath().getParent(), cmd.toArray(String[]::new));
    }

    /** Every byte of {@code image} through its backing chain, as qemu reads it. */
    static byte[] oracle(Path image) throws IOException {
        Path raw = image.resolveSibling(image.getFileName() + ".oracle.raw");
        runIn(image.toAbsolutePath().getParent(), "qemu-img", "convert", "-O", "raw", image.toString(), raw.toString());
        try {
            return Files.readAllBytes(raw);
        } finally {
            Files.deleteIfExists(raw);
        }
    }

    /**
     * A raw file of seeded bytes in chunks of {@code chunk}: most random, some all zero, some
     * half random, so that converted images have data, holes and zero clusters side by side.
     */
    static Path randomRaw(Path file, long size, int chunk, long seed) throws IOException {
        Random random = new Random(seed);
        byte[] buf = new byte[chunk];
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            for (long off = 0; off < size; off += chunk) {
                int n = (int) Math.min(chunk, size - off);
                int kind = random.nextInt(10);
                if (kind < 3) {
                    continue; // a hole
                }
                random.nextBytes(buf);
                if (kind == 3) {
                    // Half data, half zeros, and some runs of a repeated byte that compress well.
                    java.util.Arrays.fill(buf, n / 2, n, (byte) 0);
                } else if (kind == 4) {
                    java.util.Arrays.fill(buf, 0, n, (byte) (off >>> 16));
                }
                raf.seek(off);
                raf.write(buf, 0, n);
            }
        }
        return file;
    }
}
