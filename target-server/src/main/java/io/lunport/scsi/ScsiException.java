package io.lunport.scsi;

/**
 * A command ends with a status other than GOOD. Handlers throw it and the dispatcher in
 * {@link ScsiTargetDevice} turns it into the command's {@link ScsiStatus}, so that every error
 * path builds its sense in one place ({@link SenseData}).
 *
 * <p>No stack trace: these are expected outcomes (an initiator probing a range or a page), and
 * filling one in would cost more than the command.
 */
public final class ScsiException extends Exception {

    private final transient ScsiStatus status;

    public ScsiException(ScsiStatus status) {
        super(null, null, false, false);
        this.status = status;
    }

    public ScsiStatus status() {
        return status;
    }

    @Override
    public String getMessage() {
        return status.toString();
    }

    public static ScsiException check(int key, int asc, int ascq) {
        return new ScsiException(ScsiStatus.checkCondition(SenseData.of(key, asc, ascq)));
    }

    /** ILLEGAL REQUEST, INVALID FIELD IN CDB, pointing at the offending byte and bit (-1: none). */
    public static ScsiException invalidCdbField(int byteIndex, int bit) {
        return new ScsiException(ScsiStatus.checkCondition(SenseData.withFieldPointer(
                SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_FIELD_IN_CDB, 0, true, byteIndex, bit)));
    }

    /** ILLEGAL REQUEST, INVALID FIELD IN PARAMETER LIST, pointing into the data-out. */
    public static ScsiException invalidParameterField(int byteIndex, int bit) {
        return new ScsiException(ScsiStatus.checkCondition(SenseData.withFieldPointer(
                SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_FIELD_IN_PARAMETER_LIST, 0, false, byteIndex, bit)));
    }

    public static ScsiException lbaOutOfRange() {
        return check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_LBA_OUT_OF_RANGE, 0);
    }

    /** MEDIUM ERROR (or MISCOMPARE) with the failing LBA or offset in INFORMATION. */
    public static ScsiException withInformation(int key, int asc, int ascq, long information) {
        return new ScsiException(ScsiStatus.checkCondition(SenseData.withInformation(key, asc, ascq, information)));
    }
}
