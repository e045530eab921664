package io.lunport.scsi.sbc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;

/**
 * READ DEFECT DATA(10) and (12) (SBC-3). A virtual medium has no defects, so every list asked
 * for exists and is empty: the answer is the defect list header alone, with PLISTV and GLISTV
 * set for the lists requested (REQ_PLIST, REQ_GLIST), the requested format echoed, and a DEFECT
 * LIST LENGTH of 0. In the 12-byte form any ADDRESS DESCRIPTOR INDEX is at or past the end of an
 * empty list, which SBC-3 answers with an empty list too, and the GENERATION CODE is 0 (not
 * supported).
 *
 * <p>Every address descriptor format SBC-3 defines (000b to 101b) describes an empty list
 * equally well; vendor-specific (110b) and reserved (111b) are invalid fields.
 */
public final class ReadDefectData implements CommandHandler {

    public static final ReadDefectData TEN = new ReadDefectData(2, 7, 2, 4);
    public static final ReadDefectData TWELVE = new ReadDefectData(1, 6, 4, 8);

    /** REQ_PLIST (bit 4), REQ_GLIST (bit 3), DEFECT LIST FORMAT (bits 2..0); PLISTV/GLISTV alike. */
    private static final int LISTS_AND_FORMAT = 0x1F;
    private static final int FORMAT_MASK = 0x07;
    private static final int LAST_DEFINED_FORMAT = 0x05;

    private final int flagsIndex;
    private final int allocationIndex;
    private final int allocationBytes;
    private final int headerLength;

    private ReadDefectData(int flagsIndex, int allocationIndex, int allocationBytes, int headerLength) {
        this.flagsIndex = flagsIndex;
        this.allocationIndex = allocationIndex;
        this.allocationBytes = allocationBytes;
        this.headerLength = headerLength;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        int flags = Cdb.u8(task.cdb(), flagsIndex);
        if ((flags & FORMAT_MASK) > LAST_DEFINED_FORMAT) {
            throw ScsiException.invalidCdbField(flagsIndex, 2);
        }
        byte[] header = new byte[headerLength];
        header[1] = (byte) (flags & LISTS_AND_FORMAT);
        ParameterData.send(task, header, Cdb.field(task.cdb(), allocationIndex, allocationBytes));
    }
}
