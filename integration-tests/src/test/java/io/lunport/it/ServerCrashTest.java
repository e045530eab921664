package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * SCSI's promise under a crash, end to end: every write the target acknowledged with FUA
 * is there after the server is killed with SIGKILL at a random moment and started again on
 * the same overlay, and the image itself is untouched. The writer is qemu-io over iSCSI, a
 * real initiator; "acknowledged" is what it printed before the kill.
 */
class ServerCrashTest {

    private static final int WRITES = 400;
    private static final int SIZE = 64 * 1024;

    @Test
    void fuaWritesAcknowledgedBeforeAKillSurviveIt() throws Exception {
        Path dir = Itwork.dir("crash");
        Path image = TestImages.holey(dir.resolve("image.raw"), 64L * TestImages.MIB, 41);
        String before = OverlayTest.sha256(image);
        Path state = Itwork.fresh(dir.resolve("state"));
        Random random = new Random(42);
        for (int round = 0; round < 3; round++) {
            int killAfter = 20 + random.nextInt(WRITES - 60);
            int acknowledged;
            int pattern = 0x10 + round * 0x20;
            LunportProcess server = LunportProcess.builder("crash-" + round).lun("c", image).stateDir(state).start();
            try {
                acknowledged = writeUntilKilled(server, pattern, killAfter);
            } finally {
                server.kill();
            }
            assertThat(acknowledged).as("writes acknowledged before the kill").isGreaterThanOrEqualTo(killAfter);
            try (LunportProcess restarted = LunportProcess.builder("crash-" + round + "-after").lun("c", image)
                    .stateDir(state).start()) {
                List<String> reads = new ArrayList<>(List.of("qemu-io", "-r", "-f", "raw"));
                for (int i = 0; i < acknowledged; i++) {
                    reads.add("-c");
                    reads.add(String.format("read -P 0x%02x %d %d", patternOf(pattern, i), offsetOf(i), SIZE));
                }
                reads.add(restarted.url("c"));
                String out = Tools.check(java.time.Duration.ofMinutes(3), reads.toArray(String[]::new)).stdout();
                assertThat(out).as("round %d: every acknowledged FUA write is there", round).doesNotContain("Pattern verification failed");
            }
        }
        assertThat(OverlayTest.sha256(image)).as("the image is never written").isEqualTo(before);
    }

    /** Runs qemu-io's FUA writes and SIGKILLs the server once {@code killAfter} were acknowledged. */
    private static int writeUntilKilled(LunportProcess server, int pattern, int killAfter) throws Exception {
        List<String> command = new ArrayList<>(List.of("qemu-io", "-f", "raw"));
        for (int i = 0; i < WRITES; i++) {
            command.add("-c");
            command.add(String.format("write -f -P 0x%02x %d %d", patternOf(pattern, i), offsetOf(i), SIZE));
        }
        command.add(server.url("c"));
        Process writer = new ProcessBuilder(command).redirectErrorStream(true).start();
        int acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("wrote ")) {
                    acknowledged++;
                    if (acknowledged == killAfter) {
                        server.kill();
                        break;
                    }
                }
            }
        } finally {
            writer.destroyForcibly();
            writer.waitFor(30, TimeUnit.SECONDS);
        }
        return acknowledged;
    }

    /** Write i lands on its own 64 KiB slot, spread over the disk, crossing data and holes. */
    private static long offsetOf(int i) {
        return (long) ((i * 37) % 1000) * SIZE;
    }

    private static int patternOf(int base, int i) {
        return (base + i % 16) & 0xFF;
    }
}
