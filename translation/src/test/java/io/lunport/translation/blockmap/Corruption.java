package io.lunport.translation.blockmap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Random;

/**
 * Seeded byte corruption of real images: each round flips a few bytes in the metadata area
 * of a copy, opens it, reads every byte (of the first 256 MiB and the last MiB) and asks for its extents. Allowed outcomes: data,
 * or an {@link ImageFormatException} / {@link MediumException}; never another exception, a
 * hang or an OutOfMemoryError.
 */
public final class Corruption {

    private Corruption() {
    }

    /** @return how many rounds ended in a typed exception (the rest read through) */
    public static int run(Path original, Path work, long area, int rounds, long seed) throws Exception {
        Random random = new Random(seed);
        int typed = 0;
        for (int round = 0; round < rounds; round++) {
            Files.copy(original, work, StandardCopyOption.REPLACE_EXISTING);
            long limit = Math.min(area, Files.size(work));
            int flips = 1 + random.nextInt(8);
            for (int i = 0; i < flips; i++) {
                long at = (long) (random.nextDouble() * limit);
                byte value = (byte) (random.nextBoolean() ? random.nextInt(256) : 0xff);
                QemuImages.patch(work, at, ByteBuffer.wrap(new byte[] {value}));
            }
            int r = round;
            boolean failed = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> readAll(work, r));
            typed += failed ? 1 : 0;
        }
        return typed;
    }

    private static boolean readAll(Path image, int round) throws IOException {
        try (BlockSource source = QemuImages.open(image)) {
            // A flipped size field can make the disk huge: read the first 256 MiB and the last MiB.
            long size = source.size();
            long head = Math.min(size, 256L << 20);
            QemuImages.readAll(source, head);
            long tail = Math.max(head, size - (1 << 20));
            source.read(tail, ByteBuffer.allocate((int) (size - tail)));
            source.extents(0, head);
            source.describe();
            return false;
        } catch (ImageFormatException | MediumException e) {
            assertThat(e.getMessage()).as("round %d", round).contains(image.getFileName().toString());
            return true;
        }
    }
}
