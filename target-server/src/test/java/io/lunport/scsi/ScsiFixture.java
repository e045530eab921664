package io.lunport.scsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import io.lunport.device.ReadOnlyBlockDevice;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/** Raw files on the real file system served as LUs. */
final class ScsiFixture {

    private ScsiFixture() {
    }

    static Path rawFile(Path dir, String name, int bytes) throws IOException {
        byte[] data = new byte[bytes];
        new Random(42).nextBytes(data);
        Path file = dir.resolve(name);
        Files.write(file, data);
        return file;
    }

    static ScsiTargetDevice writable(Path file, int blockSize) throws IOException {
        return new ScsiTargetDevice(Map.of(0, new LogicalUnit(DirectFileBlockDevice.open(file), blockSize, "SN0001")));
    }

    static ScsiTargetDevice readOnly(Path file, int blockSize) throws IOException {
        return new ScsiTargetDevice(Map.of(0,
                new LogicalUnit(new ReadOnlyBlockDevice(RawBlockSource.open(file)), blockSize, "SN0002")));
    }

    static void assertGood(ScsiStatus status) {
        assertThat(status.isGood()).as("%s", status).isTrue();
    }

    /** Asserts CHECK CONDITION with key/ASC/ASCQ and returns the sense. */
    static byte[] assertSense(ScsiStatus status, int key, int asc, int ascq) {
        assertThat(status.code()).as("%s", status).isEqualTo(ScsiStatus.CHECK_CONDITION_CODE);
        assertThat(SenseData.describe(status.sense())).isEqualTo(SenseData.describe(SenseData.of(key, asc, ascq)));
        return status.sense();
    }

    /** Asserts ILLEGAL REQUEST / INVALID FIELD IN CDB pointing at the byte (and bit, -1 for none). */
    static void assertInvalidCdbField(ScsiStatus status, int byteIndex, int bit) {
        byte[] sense = assertSense(status, SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_FIELD_IN_CDB, 0);
        int flags = 0xC0 | (bit >= 0 ? 0x08 | bit : 0);
        assertThat(new int[] {sense[15] & 0xFF, sense[16] & 0xFF, sense[17] & 0xFF})
                .containsExactly(flags, byteIndex >>> 8, byteIndex & 0xFF);
    }
}
