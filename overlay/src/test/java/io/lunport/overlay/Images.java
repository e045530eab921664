package io.lunport.overlay;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/** Seeded raw images for the tests: every byte known, nothing mocked. */
final class Images {

    private Images() {
    }

    static byte[] randomBytes(long seed, int length) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        return data;
    }

    static Path rawImage(Path dir, String name, byte[] content) throws IOException {
        Path image = dir.resolve(name);
        Files.write(image, content);
        return image;
    }
}
