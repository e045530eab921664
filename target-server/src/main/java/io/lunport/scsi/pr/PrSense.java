package io.lunport.scsi.pr;

import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiStatus;
import io.lunport.scsi.SenseData;

/** The outcomes reservations add to SPC-4's list (Table D.1), kept here so SenseData stays small. */
final class PrSense {

    /** 2Ah with these qualifiers: the unit attentions persistent reservations raise. */
    static final int ASC_PARAMETERS_CHANGED = 0x2A;
    static final int ASCQ_RESERVATIONS_PREEMPTED = 0x03;
    static final int ASCQ_RESERVATIONS_RELEASED = 0x04;
    static final int ASCQ_REGISTRATIONS_PREEMPTED = 0x05;

    private PrSense() {
    }

    static ScsiException conflict() {
        return new ScsiException(ScsiStatus.RESERVATION_CONFLICT);
    }

    /** RELEASE by the holder with a TYPE or SCOPE other than the reservation's (26h/04h). */
    static ScsiException invalidRelease() {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_FIELD_IN_PARAMETER_LIST, 0x04);
    }

    /** More registrations than lunport keeps per LU (55h/04h). */
    static ScsiException insufficientRegistrationResources() {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, 0x55, 0x04);
    }

    static ScsiException parameterListLengthError() {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
    }

    /** Saving the APTPL state failed: the command changed nothing. */
    static ScsiException persistenceFailed() {
        return ScsiException.check(SenseData.HARDWARE_ERROR, SenseData.ASC_INTERNAL_TARGET_FAILURE, 0);
    }
}
