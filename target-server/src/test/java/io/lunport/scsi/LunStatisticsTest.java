package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the command set reports to a LU's {@link LunStatistics}: which commands, how many bytes, which errors. */
class LunStatisticsTest {

    @TempDir
    Path dir;

    /** Records every report as a line, and checks that in-flight never goes negative. */
    static final class Recorder implements LunStatistics {
        final List<String> events = new ArrayList<>();
        int inFlight;

        @Override
        public void commandStarted() {
            inFlight++;
        }

        @Override
        public void commandEnded(int senseKey) {
            inFlight--;
            assertThat(inFlight).isNotNegative();
            if (senseKey != NO_SENSE_KEY) {
                events.add("error " + senseKey);
            }
        }

        @Override
        public void read(long bytes, long nanos) {
            assertThat(nanos).isNotNegative();
            events.add("read " + bytes);
        }

        @Override
        public void written(long bytes, long nanos) {
            assertThat(nanos).isNotNegative();
            events.add("write " + bytes);
        }
    }

    @Test
    void readsWritesAndErrorsAreReportedOncePerCommand() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", 1 << 20);
        LogicalUnit unit = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "SN0001");
        Recorder recorder = new Recorder();
        unit.statistics(recorder);
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, unit))) {
            // The first command of a new nexus gets the power-on unit attention, as on any LU.
            target.execute(TestTask.in(0, 0, 0x00, 0, 0, 0, 0, 0));
            recorder.events.clear();

            assertGood(target.execute(TestTask.in(0, 8 * 512, 0x28, 0, 0, 0, 0, 10, 0, 0, 8, 0)));
            assertGood(target.execute(TestTask.out(0, new byte[3 * 512], 0x2A, 0, 0, 0, 0, 20, 0, 0, 3, 0)));
            // Neither a read nor a write: only in flight and back.
            assertGood(target.execute(TestTask.in(0, 8, 0x25, 0, 0, 0, 0, 0, 0, 0, 0, 0)));
            // LBA out of range: ILLEGAL REQUEST, and no read reported.
            target.execute(TestTask.in(0, 512, 0x28, 0, 0x7F, 0, 0, 0, 0, 0, 1, 0));
            // A LUN with no LU counts nowhere.
            target.execute(TestTask.in(5, 512, 0x28, 0, 0, 0, 0, 0, 0, 0, 1, 0));
        }
        assertThat(recorder.events).containsExactly("read 4096", "write 1536", "error " + SenseData.ILLEGAL_REQUEST);
        assertThat(recorder.inFlight).isZero();
    }
}
