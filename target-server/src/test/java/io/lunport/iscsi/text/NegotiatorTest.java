package io.lunport.iscsi.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The RFC 7143 section 13 result functions, one kind of key at a time. */
class NegotiatorTest {

    private final Negotiator n = new Negotiator();

    @Test
    void defaultsWhenNothingIsOffered() {
        NegotiatedParameters p = n.result();
        assertThat(p.headerDigest()).isFalse();
        assertThat(p.dataDigest()).isFalse();
        assertThat(p.initiatorMaxRecvDataSegmentLength()).isEqualTo(8192);
        assertThat(p.targetMaxRecvDataSegmentLength()).isEqualTo(262144);
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.firstBurstLength()).isEqualTo(65536);
        assertThat(p.initialR2T()).isTrue();
        assertThat(p.immediateData()).isTrue();
        assertThat(p.maxOutstandingR2T()).isEqualTo(1);
        assertThat(p.defaultTime2Wait()).isEqualTo(2);
        assertThat(p.defaultTime2Retain()).isEqualTo(20);
        assertThat(n.reconcileFirstBurst()).isNull();
    }

    @Test
    void numberMinTakesTheSmaller() {
        assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, "262144")).isEqualTo("262144");
        assertThat(n.answer(OperationalKey.MAX_OUTSTANDING_R2T, "65535")).isEqualTo("16");
        assertThat(n.answer(OperationalKey.MAX_CONNECTIONS, "32")).isEqualTo("1");
        assertThat(n.answer(OperationalKey.ERROR_RECOVERY_LEVEL, "2")).isEqualTo("0");
        assertThat(n.answer(OperationalKey.DEFAULT_TIME2RETAIN, "60")).isEqualTo("0");
        assertThat(n.answer(OperationalKey.FIRST_BURST_LENGTH, "0x10000")).isEqualTo("65536");
        NegotiatedParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.maxOutstandingR2T()).isEqualTo(16);
        assertThat(p.defaultTime2Retain()).isZero();
        assertThat(p.firstBurstLength()).isEqualTo(65536);

        Negotiator big = new Negotiator();
        assertThat(big.answer(OperationalKey.MAX_BURST_LENGTH, "16777215")).isEqualTo("16776192");
    }

    @Test
    void numberMaxTakesTheLarger() {
        assertThat(n.answer(OperationalKey.DEFAULT_TIME2WAIT, "0")).isEqualTo("2");
        assertThat(n.result().defaultTime2Wait()).isEqualTo(2);
        assertThat(n.answer(OperationalKey.DEFAULT_TIME2WAIT, "5")).isEqualTo("5");
        assertThat(n.result().defaultTime2Wait()).isEqualTo(5);
    }

    @Test
    void booleanAndIsYesOnlyWhenBothSayYes() {
        assertThat(n.answer(OperationalKey.IMMEDIATE_DATA, "No")).isEqualTo("No");
        assertThat(n.result().immediateData()).isFalse();
        assertThat(new Negotiator().answer(OperationalKey.IMMEDIATE_DATA, "Yes")).isEqualTo("Yes");
        assertThat(n.answer(OperationalKey.OF_MARKER, "Yes")).isEqualTo("No");
        assertThat(n.answer(OperationalKey.IF_MARKER, "No")).isEqualTo("No");
    }

    @Test
    void booleanOrIsYesWhenEitherSaysYes() {
        assertThat(n.answer(OperationalKey.INITIAL_R2T, "No")).isEqualTo("No");
        assertThat(n.result().initialR2T()).isFalse();
        assertThat(n.answer(OperationalKey.INITIAL_R2T, "Yes")).isEqualTo("Yes");
        assertThat(n.result().initialR2T()).isTrue();
        assertThat(n.answer(OperationalKey.DATA_PDU_IN_ORDER, "No")).isEqualTo("Yes");
        assertThat(n.answer(OperationalKey.DATA_SEQUENCE_IN_ORDER, "No")).isEqualTo("Yes");
    }

    @Test
    void listTakesTheFirstOfTheInitiatorsThatWeSupport() {
        assertThat(n.answer(OperationalKey.HEADER_DIGEST, "None,CRC32C")).isEqualTo("None");
        assertThat(n.answer(OperationalKey.DATA_DIGEST, "CRC32C,None")).isEqualTo("CRC32C");
        assertThat(n.result().headerDigest()).isFalse();
        assertThat(n.result().dataDigest()).isTrue();
        assertThat(n.answer(OperationalKey.HEADER_DIGEST, "MD5,CRC32C")).isEqualTo("CRC32C");
        assertThat(n.answer(OperationalKey.TASK_REPORTING, "FastAbort,RFC3720")).isEqualTo("RFC3720");
    }

    @Test
    void listWithNothingWeSupportIsRejected() {
        assertThat(n.answer(OperationalKey.HEADER_DIGEST, "MD5")).isEqualTo(Negotiator.REJECT);
        assertThat(n.result().headerDigest()).isFalse();
    }

    @Test
    void declarativeMaxRecvDataSegmentLengthIsAnsweredWithOurs() {
        assertThat(n.answer(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH, "65536")).isEqualTo("262144");
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
        assertThat(n.result().targetMaxRecvDataSegmentLength()).isEqualTo(262144);
        assertThat(n.answer(OperationalKey.MAX_RECV_DATA_SEGMENT_LENGTH, "511")).isEqualTo(Negotiator.REJECT);
        assertThat(n.result().initiatorMaxRecvDataSegmentLength()).isEqualTo(65536);
    }

    @Test
    void markerIntervalsAreIrrelevant() {
        assertThat(n.answer(OperationalKey.OF_MARK_INT, "2048~8192")).isEqualTo("Irrelevant");
        assertThat(n.answer(OperationalKey.IF_MARK_INT, "anything")).isEqualTo("Irrelevant");
    }

    @Test
    void outOfRangeValuesAreRejectedAndKeepTheDefault() {
        assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, "511")).isEqualTo(Negotiator.REJECT);
        assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, "16777216")).isEqualTo(Negotiator.REJECT);
        assertThat(n.answer(OperationalKey.FIRST_BURST_LENGTH, "-1")).isEqualTo(Negotiator.REJECT);
        assertThat(n.answer(OperationalKey.DEFAULT_TIME2WAIT, "3601")).isEqualTo(Negotiator.REJECT);
        assertThat(n.answer(OperationalKey.MAX_OUTSTANDING_R2T, "0")).isEqualTo(Negotiator.REJECT);
        assertThat(n.answer(OperationalKey.ERROR_RECOVERY_LEVEL, "3")).isEqualTo(Negotiator.REJECT);
        NegotiatedParameters p = n.result();
        assertThat(p.maxBurstLength()).isEqualTo(262144);
        assertThat(p.firstBurstLength()).isEqualTo(65536);
        assertThat(p.defaultTime2Wait()).isEqualTo(2);
        assertThat(p.maxOutstandingR2T()).isEqualTo(1);
    }

    @Test
    void malformedValuesAreRejected() {
        for (String bad : new String[] {"", "abc", "0x", "0xZZ", "1e5", "99999999999999999999", "+512", "0x+200", " 512"}) {
            assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, bad)).as("'%s'", bad).isEqualTo(Negotiator.REJECT);
        }
        for (String bad : new String[] {"yes", "YES", "", "1", "Yes,No"}) {
            assertThat(n.answer(OperationalKey.IMMEDIATE_DATA, bad)).as("'%s'", bad).isEqualTo(Negotiator.REJECT);
        }
        assertThat(n.result().maxBurstLength()).isEqualTo(262144);
        assertThat(n.result().immediateData()).isTrue();
    }

    @Test
    void firstBurstIsClampedToTheNegotiatedMaxBurst() {
        assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, "65536")).isEqualTo("65536");
        assertThat(n.answer(OperationalKey.FIRST_BURST_LENGTH, "262144")).isEqualTo("262144");
        assertThat(n.reconcileFirstBurst()).isEqualTo("65536");
        assertThat(n.result().firstBurstLength()).isEqualTo(65536);
        assertThat(n.result().maxBurstLength()).isEqualTo(65536);
        assertThat(n.reconcileFirstBurst()).isNull();
    }

    @Test
    void defaultFirstBurstIsClampedWhenOnlyMaxBurstIsOffered() {
        assertThat(n.answer(OperationalKey.MAX_BURST_LENGTH, "16384")).isEqualTo("16384");
        assertThat(n.reconcileFirstBurst()).isEqualTo("16384");
        assertThat(n.result().firstBurstLength()).isEqualTo(16384);
    }
}
