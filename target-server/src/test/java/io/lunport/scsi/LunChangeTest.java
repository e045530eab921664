package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** LUNs added and removed on a served target (a reload): REPORT LUNS follows, and nexuses are told. */
class LunChangeTest {

    @TempDir
    Path dir;

    private static TestTask testUnitReady(int lun) {
        return TestTask.in(lun, 0, 0x00, 0, 0, 0, 0, 0);
    }

    private static TestTask reportLuns() {
        return TestTask.in(0, 64, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 0);
    }

    @Test
    void addedAndRemovedLunsAreReportedWithAUnitAttentionToKnownNexuses() throws Exception {
        Path file = ScsiFixture.rawFile(dir, "disk.raw", 64 * 1024);
        LogicalUnit zero = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "Z");
        LogicalUnit one = new LogicalUnit(DirectFileBlockDevice.open(file), 512, "O");
        try (ScsiTargetDevice target = new ScsiTargetDevice(Map.of(0, zero))) {
            assertGood(target.execute(testUnitReady(0))); // NEXUS_A is now known to LUN 0
            target.addUnit(1, one);
            assertSense(target.execute(testUnitReady(0)), SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
            assertGood(target.execute(testUnitReady(0)));
            assertGood(target.execute(testUnitReady(1)));
            TestTask luns = reportLuns();
            assertGood(target.execute(luns));
            assertThat(luns.dataInBytes()).containsExactly(
                    0, 0, 0, 16, 0, 0, 0, 0,
                    0, 0, 0, 0, 0, 0, 0, 0,
                    0, 1, 0, 0, 0, 0, 0, 0);

            assertThat(target.removeUnit(1)).isSameAs(one);
            assertThat(target.removeUnit(1)).isNull();
            assertSense(target.execute(testUnitReady(0)), SenseData.UNIT_ATTENTION, 0x3F, 0x0E);
            assertSense(target.execute(testUnitReady(1)), SenseData.ILLEGAL_REQUEST, SenseData.ASC_LOGICAL_UNIT_NOT_SUPPORTED, 0);
            assertThat(target.luns()).containsExactly(0);
            assertThat(target.units()).containsExactly(zero);
            one.device().close();
        }
    }
}
