package io.lunport.scsi;

import static io.lunport.scsi.ScsiFixture.assertGood;
import static io.lunport.scsi.ScsiFixture.assertSense;
import static io.lunport.scsi.TestTask.NEXUS_A;
import static io.lunport.scsi.TestTask.NEXUS_B;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.device.DirectFileBlockDevice;
import io.lunport.scsi.copy.CopyTargets;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * EXTENDED COPY (LID1) and RECEIVE COPY RESULTS between two LUs of two targets that share one
 * {@link CopyTargets}, as the server wires them; the raw files are the oracle.
 */
class CopyCommandsTest {

    private static final int SIZE = 1 << 20; // 2048 blocks of 512
    private static final String TARGET_A = "iqn.2026-11.io.lunport:a";
    private static final String TARGET_B = "iqn.2026-11.io.lunport:b";

    @TempDir
    Path dir;
    Path fileA;
    Path fileB;
    LogicalUnit unitA;
    LogicalUnit unitB;
    ScsiTargetDevice targetA;
    ScsiTargetDevice targetB;

    @BeforeEach
    void serveTwoLus() throws Exception {
        fileA = ScsiFixture.rawFile(dir, "a.raw", SIZE);
        fileB = dir.resolve("b.raw");
        Files.write(fileB, new byte[SIZE]);
        unitA = new LogicalUnit(DirectFileBlockDevice.open(fileA), 512, "SNA");
        unitB = new LogicalUnit(DirectFileBlockDevice.open(fileB), 512, "SNB");
        targetA = new ScsiTargetDevice(Map.of(0, unitA));
        targetB = new ScsiTargetDevice(Map.of(0, unitB));
        CopyTargets copyTargets = new CopyTargets();
        copyTargets.register(TARGET_A, unitA);
        copyTargets.register(TARGET_B, unitB);
        targetA.copyTargets(copyTargets);
        targetB.copyTargets(copyTargets);
    }

    @AfterEach
    void close() throws Exception {
        targetA.close();
        targetB.close();
    }

    /** Identification CSCD descriptor (E4h) naming an LU by its NAA designator, 512-byte blocks. */
    static byte[] cscd(byte[] naa) {
        ByteBuffer d = ByteBuffer.allocate(32);
        d.put(0, (byte) 0xE4);
        d.put(4, (byte) 0x01); // binary
        d.put(5, (byte) 0x03); // association LU, type NAA
        d.put(7, (byte) naa.length);
        d.put(8, naa);
        d.put(30, (byte) 0x02); // block length 512 (bytes 29..31)
        return d.array();
    }

    /** Block-to-block segment descriptor (02h). */
    static byte[] segment(int source, int destination, int blocks, long sourceLba, long destinationLba) {
        ByteBuffer d = ByteBuffer.allocate(28);
        d.put(0, (byte) 0x02);
        d.putShort(2, (short) 24);
        d.putShort(4, (short) source);
        d.putShort(6, (short) destination);
        d.putShort(10, (short) blocks);
        d.putLong(12, sourceLba);
        d.putLong(20, destinationLba);
        return d.array();
    }

    static byte[] parameterList(int listId, int usage, byte[][] cscds, byte[][] segments) {
        int cscdLength = cscds.length * 32;
        int segmentLength = segments.length * 28;
        ByteBuffer p = ByteBuffer.allocate(16 + cscdLength + segmentLength);
        p.put(0, (byte) listId);
        p.put(1, (byte) (usage << 3));
        p.putShort(2, (short) cscdLength);
        p.putInt(8, segmentLength);
        int at = 16;
        for (byte[] d : cscds) {
            p.put(at, d);
            at += d.length;
        }
        for (byte[] d : segments) {
            p.put(at, d);
            at += d.length;
        }
        return p.array();
    }

    static TestTask extendedCopy(byte[] list) {
        int n = list.length;
        return TestTask.out(0, list, 0x83, 0, 0, 0, 0, 0, 0, 0, 0, 0, n >>> 24, (n >>> 16) & 0xFF, (n >>> 8) & 0xFF,
                n & 0xFF, 0, 0);
    }

    static TestTask receiveCopyResults(int serviceAction, int listId) {
        return TestTask.in(0, 1024, 0x84, serviceAction, listId, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0);
    }

    @Test
    void copiesBlocksFromOneLuToAnotherAndHoldsTheStatus() throws Exception {
        byte[] list = parameterList(7, 0, new byte[][] {cscd(unitA.naaDesignator()), cscd(unitB.naaDesignator())},
                new byte[][] {segment(0, 1, 100, 10, 500), segment(0, 1, 3, 2000, 0)});
        assertGood(targetB.execute(extendedCopy(list)));

        byte[] a = Files.readAllBytes(fileA);
        byte[] b = Files.readAllBytes(fileB);
        assertThat(Arrays.copyOfRange(b, 500 * 512, 600 * 512)).isEqualTo(Arrays.copyOfRange(a, 10 * 512, 110 * 512));
        assertThat(Arrays.copyOfRange(b, 0, 3 * 512)).isEqualTo(Arrays.copyOfRange(a, 2000 * 512, 2003 * 512));
        assertThat(Arrays.copyOfRange(b, 3 * 512, 500 * 512)).containsOnly(0);

        TestTask status = receiveCopyResults(0x00, 7);
        assertGood(targetB.execute(status));
        ByteBuffer s = ByteBuffer.wrap(status.dataInBytes());
        assertThat(s.getInt(0)).isEqualTo(8);
        assertThat(s.get(4)).isZero(); // completed without errors
        assertThat(s.getShort(5)).isEqualTo((short) 2);
        assertThat(s.getInt(8)).isEqualTo(103 * 512);
        // Returned once; other nexuses never saw it.
        assertSense(targetB.execute(receiveCopyResults(0x00, 7)), SenseData.ILLEGAL_REQUEST,
                SenseData.ASC_INVALID_FIELD_IN_CDB, 0);
    }

    @Test
    void overlappingCopyWithinOneLuReadsEveryBlockBeforeOverwritingIt() throws Exception {
        byte[] before = Files.readAllBytes(fileA);
        byte[] list = parameterList(1, 3, new byte[][] {cscd(unitA.naaDesignator())},
                new byte[][] {segment(0, 0, 1000, 0, 1)});
        assertGood(targetA.execute(extendedCopy(list)));
        byte[] after = Files.readAllBytes(fileA);
        assertThat(Arrays.copyOfRange(after, 512, 1001 * 512)).isEqualTo(Arrays.copyOfRange(before, 0, 1000 * 512));
    }

    @Test
    void aDestinationReservedByAnotherInitiatorConflictsAndStaysUntouched() throws Exception {
        unitB.reservations().reserveSpc2(new CopyTargets.CopyTarget(TARGET_B, unitB).nexusFor(NEXUS_B));
        byte[] list = parameterList(1, 3, new byte[][] {cscd(unitA.naaDesignator()), cscd(unitB.naaDesignator())},
                new byte[][] {segment(0, 1, 8, 0, 0)});
        assertThat(targetA.execute(extendedCopy(list)).code()).isEqualTo(ScsiStatus.RESERVATION_CONFLICT.code());
        assertThat(Files.readAllBytes(fileB)).containsOnly(0);
        // The holder's own copy goes through.
        assertGood(targetA.execute(extendedCopy(list).from(NEXUS_B)));
        assertThat(Arrays.copyOf(Files.readAllBytes(fileB), 8 * 512))
                .isEqualTo(Arrays.copyOf(Files.readAllBytes(fileA), 8 * 512));
    }

    @Test
    void descriptorErrorsHaveTheirOwnSenseCodes() throws Exception {
        byte[] unknownLu = new byte[16];
        unknownLu[0] = 0x60;
        byte[] list = parameterList(1, 3, new byte[][] {cscd(unknownLu)}, new byte[][] {segment(0, 0, 1, 0, 0)});
        assertSense(targetA.execute(extendedCopy(list)), SenseData.COPY_ABORTED, 0x0D, 0x02);

        byte[] beyondEnd = parameterList(1, 3, new byte[][] {cscd(unitA.naaDesignator())},
                new byte[][] {segment(0, 0, 2, 0, 2047)});
        byte[] sense = assertSense(targetA.execute(extendedCopy(beyondEnd)), SenseData.COPY_ABORTED, 0, 0);
        assertThat(sense[16] << 8 | sense[17]).as("segment pointer").isEqualTo(16 + 32);

        byte[] fiveTargets = parameterList(1, 3, new byte[][] {cscd(unitA.naaDesignator()), cscd(unitA.naaDesignator()),
            cscd(unitA.naaDesignator()), cscd(unitA.naaDesignator()), cscd(unitA.naaDesignator())},
                new byte[][] {segment(0, 0, 1, 0, 0)});
        assertSense(targetA.execute(extendedCopy(fiveTargets)), SenseData.ILLEGAL_REQUEST,
                SenseData.ASC_INVALID_FIELD_IN_PARAMETER_LIST, 0x06);

        byte[] streamSegment = parameterList(1, 3, new byte[][] {cscd(unitA.naaDesignator())},
                new byte[][] {segment(0, 0, 1, 0, 0)});
        streamSegment[16 + 32] = 0x03;
        assertSense(targetA.execute(extendedCopy(streamSegment)), SenseData.ILLEGAL_REQUEST,
                SenseData.ASC_INVALID_FIELD_IN_PARAMETER_LIST, 0x09);

        byte[] truncated = Arrays.copyOf(list, list.length - 1);
        assertSense(targetA.execute(extendedCopy(truncated)), SenseData.ILLEGAL_REQUEST,
                SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
        assertThat(Files.readAllBytes(fileA)).isEqualTo(Files.readAllBytes(ScsiFixture.rawFile(dir, "oracle.raw", SIZE)));
    }

    @Test
    void operatingParametersMatchTheLimitsEnforced() throws Exception {
        TestTask task = receiveCopyResults(0x03, 0);
        assertGood(targetA.execute(task));
        ByteBuffer p = ByteBuffer.wrap(task.dataInBytes());
        assertThat(p.getShort(8)).isEqualTo((short) 4); // CSCD descriptors
        assertThat(p.getShort(10)).isEqualTo((short) 16); // segment descriptors
        assertThat(p.getInt(12)).isEqualTo(4 * 32 + 16 * 28);
        assertThat(p.get(43)).isEqualTo((byte) 2);
        assertThat(new byte[] {p.get(44), p.get(45)}).containsExactly(0x02, (byte) 0xE4);
    }
}
