package io.lunport.scsi.copy;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import io.lunport.scsi.copy.HeldCopyResults.CopyStatus;
import java.nio.ByteBuffer;

/**
 * RECEIVE COPY RESULTS (84h, SPC-4 6.18) for EXTENDED COPY (LID1): COPY STATUS (00h) of a
 * copy this nexus ran with LIST ID USAGE 00b, and OPERATING PARAMETERS (03h), the limits of
 * {@link CopyLimits}.
 */
public final class ReceiveCopyResults implements CommandHandler {

    public static final ReceiveCopyResults COPY_STATUS = new ReceiveCopyResults(0x00);
    public static final ReceiveCopyResults OPERATING_PARAMETERS = new ReceiveCopyResults(0x03);

    private static final int LIST_ID_INDEX = 2;
    private static final int ALLOCATION_INDEX = 10;
    /** OPERATING PARAMETERS up to its list of implemented descriptor type codes (byte 43 counts them). */
    private static final int PARAMETERS_HEADER = 44;
    private static final byte[] IMPLEMENTED_DESCRIPTORS = {
        CopyParameterList.BLOCK_TO_BLOCK_SEGMENT, (byte) CopyParameterList.IDENTIFICATION_CSCD};
    private static final int STATUS_LENGTH = 12;
    /** COPY MANAGER STATUS 00h: the operation completed without errors. */
    private static final int COMPLETED = 0x00;

    private final int serviceAction;

    private ReceiveCopyResults(int serviceAction) {
        this.serviceAction = serviceAction;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        long allocation = Cdb.u32(cdb, ALLOCATION_INDEX);
        byte[] data = serviceAction == 0x00 ? copyStatus(unit, task, Cdb.u8(cdb, LIST_ID_INDEX)) : operatingParameters(unit);
        ParameterData.send(task, data, allocation);
    }

    private static byte[] copyStatus(LogicalUnit unit, ScsiTask task, int listId) throws ScsiException {
        CopyStatus status = unit.copyResults().take(task.nexus(), listId);
        if (status == null) {
            throw ScsiException.invalidCdbField(LIST_ID_INDEX, -1); // no copy with that list identifier
        }
        ByteBuffer b = ByteBuffer.allocate(STATUS_LENGTH);
        b.putInt(0, STATUS_LENGTH - 4);
        b.put(4, (byte) COMPLETED);
        b.putShort(5, (short) status.segmentsProcessed());
        b.put(7, (byte) 0x00); // TRANSFER COUNT UNITS: bytes
        b.putInt(8, (int) Math.min(status.bytesTransferred(), 0xFFFF_FFFFL));
        return b.array();
    }

    private static byte[] operatingParameters(LogicalUnit unit) {
        ByteBuffer b = ByteBuffer.allocate(PARAMETERS_HEADER + IMPLEMENTED_DESCRIPTORS.length);
        b.putInt(0, b.capacity() - 4);
        b.put(4, (byte) 0x01); // SNLID: list identifiers are supported
        b.putShort(8, (short) CopyLimits.MAX_CSCD_DESCRIPTORS);
        b.putShort(10, (short) CopyLimits.MAX_SEGMENT_DESCRIPTORS);
        b.putInt(12, CopyLimits.MAX_DESCRIPTOR_LIST_LENGTH);
        b.putInt(16, (int) CopyLimits.MAX_SEGMENT_BYTES);
        // MAXIMUM INLINE DATA LENGTH, HELD DATA LIMIT, MAXIMUM STREAM DEVICE TRANSFER SIZE: 0, none.
        b.putShort(34, (short) HeldCopyResults.LIMIT); // TOTAL CONCURRENT COPIES
        b.put(36, (byte) HeldCopyResults.LIMIT); // MAXIMUM CONCURRENT COPIES (identified by list id)
        b.put(37, (byte) unit.blockShift()); // DATA SEGMENT GRANULARITY (log2): one logical block
        b.put(43, (byte) IMPLEMENTED_DESCRIPTORS.length);
        b.put(PARAMETERS_HEADER, IMPLEMENTED_DESCRIPTORS);
        return b.array();
    }
}
