package io.lunport.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.it.ConformanceLog.Status;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The conformance-log parser on real {@code iscsi-test-cu -v --dataloss} output, recorded
 * against tgt 1.0.85 on a 1 GiB file (libiscsi 1.19, Debian 12): the oracle is CUnit's own
 * run summary plus a few verdicts read off the log by hand.
 */
class ConformanceLogTest {

    static String sample(String name) throws IOException {
        try (InputStream in = ConformanceLogTest.class.getResourceAsStream("/samples/" + name)) {
            assertThat(in).as(name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void scsiFamilyOfTgt() throws IOException {
        ConformanceLog log = ConformanceLog.parse("SCSI", sample("tgt-iscsi-test-cu-SCSI.log"));
        assertThat(log.summaryRan).isEqualTo(215);
        assertThat(log.tests).hasSize(215);
        assertThat(log.summaryFailed).isEqualTo(7);
        assertThat(log.count(Status.FAIL)).isEqualTo(7);
        assertThat(log.count(Status.UNKNOWN)).isZero();
        assertThat(status(log, "SCSI.GetLBAStatus.BeyondEol")).isEqualTo(Status.FAIL);
        assertThat(status(log, "SCSI.CompareAndWrite.Simple")).isEqualTo(Status.SKIP);
        assertThat(status(log, "SCSI.Inquiry.Standard")).isEqualTo(Status.PASS);
        // "[FAILED] WRITESAME10 command failed ..." printed by a test that CUnit then passed
        assertThat(status(log, "SCSI.WriteSame10.UnmapVPD")).isEqualTo(Status.PASS);
        assertThat(log.count(Status.SKIP)).isBetween(40L, 100L);
        assertThat(log.count(Status.PASS) + log.count(Status.SKIP) + log.count(Status.FAIL)).isEqualTo(215);
    }

    @Test
    void iscsiFamilyOfTgt() throws IOException {
        ConformanceLog log = ConformanceLog.parse("iSCSI", sample("tgt-iscsi-test-cu-iSCSI.log"));
        assertThat(log.tests).hasSize(15);
        assertThat(log.summaryRan).isEqualTo(15);
        assertThat(log.summaryFailed).isEqualTo(1);
        assertThat(status(log, "iSCSI.iSCSIdatasn.iSCSIDataSnInvalid")).isEqualTo(Status.FAIL);
        assertThat(log.count(Status.PASS)).isEqualTo(14);
    }

    static Status status(ConformanceLog log, String name) {
        return log.tests.stream().filter(t -> t.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no test " + name)).status();
    }
}
