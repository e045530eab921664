package io.lunport.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The scratch directory the pom hands the tests as {@code lunport.work}. */
final class Itwork {
    private Itwork() {}

    static Path dir() {
        String p = System.getProperty("lunport.work", "target/it-work");
        try {
            return Files.createDirectories(Path.of(p).toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A fresh subdirectory for one test class. */
    static Path dir(String name) {
        try {
            return Files.createDirectories(dir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * {@code dir} emptied: a state directory must not carry overlays of an earlier run, which
     * were made for images the tests have since written anew (an overlay refuses those).
     */
    static Path fresh(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (var files = Files.walk(dir)) {
                    for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
