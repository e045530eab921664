package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * MODE SELECT(6) and (10) (SPC-4 6.9, 6.10). A parameter list may change only changeable
 * fields (WCE); every other byte must carry the current value. The whole list is checked
 * before anything changes, so a rejected list changes nothing. A change raises MODE
 * PARAMETERS CHANGED for the other nexuses.
 */
public final class ModeSelect implements CommandHandler {

    public static final ModeSelect SIX = new ModeSelect(ModeParameterHeader.SIX);
    public static final ModeSelect TEN = new ModeSelect(ModeParameterHeader.TEN);

    private static final int SPF = 0x40;

    private final ModeParameterHeader form;

    private ModeSelect(ModeParameterHeader form) {
        this.form = form;
    }

    static ScsiException parameterListLengthError() {
        return ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_PARAMETER_LIST_LENGTH_ERROR, 0);
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        boolean pageFormat = Cdb.bit(cdb, 1, 4);
        if (Cdb.bit(cdb, 1, 0)) {
            throw ScsiException.invalidCdbField(1, 0); // SP: no saved pages
        }
        int listLength = form == ModeParameterHeader.SIX ? Cdb.u8(cdb, 4) : Cdb.u16(cdb, 7);
        if (listLength == 0) {
            return;
        }
        ByteBuffer params = task.dataOut(listLength);
        if (params.limit() < form.length) {
            throw parameterListLengthError();
        }
        int offset = form.parse(params, unit);
        if (offset < params.limit() && !pageFormat) {
            // PF=0 would mean vendor-specific pages; lunport has only SPC-format ones.
            throw ScsiException.invalidCdbField(1, 4);
        }
        boolean wce = unit.modeParameters().writeCacheEnabled();
        while (offset < params.limit()) {
            int next = checkPage(params, offset, unit);
            if ((params.get(offset) & 0x3F) == ModePages.CACHING) {
                wce = (params.get(offset + 2) & ModePages.WCE) != 0;
            }
            offset = next;
        }
        if (wce != unit.modeParameters().writeCacheEnabled()) {
            unit.modeParameters().setWriteCacheEnabled(wce);
            unit.unitAttentions().establishForOthers(task.nexus(),
                    SenseData.ASC_PARAMETERS_CHANGED, SenseData.ASCQ_MODE_PARAMETERS_CHANGED);
        }
    }

    /** Validates the page at {@code offset} and returns the offset of the next one. */
    private static int checkPage(ByteBuffer params, int offset, LogicalUnit unit) throws ScsiException {
        if (params.limit() < offset + 2) {
            throw parameterListLengthError();
        }
        int first = Cdb.u8(params, offset);
        if ((first & SPF) != 0) {
            throw ScsiException.invalidParameterField(offset, 6);
        }
        int code = first & 0x3F; // PS (bit 7) is reserved in MODE SELECT
        if (!ModePages.isSupported(code)) {
            throw ScsiException.invalidParameterField(offset, 5);
        }
        byte[] current = ModePages.page(code, ModePages.CURRENT, unit);
        byte[] changeable = ModePages.page(code, ModePages.CHANGEABLE, unit);
        if (Cdb.u8(params, offset + 1) != current.length - 2) {
            throw ScsiException.invalidParameterField(offset + 1, -1);
        }
        if (params.limit() < offset + current.length) {
            throw parameterListLengthError();
        }
        for (int i = 2; i < current.length; i++) {
            int wrong = (params.get(offset + i) ^ current[i]) & ~changeable[i] & 0xFF;
            if (wrong != 0) {
                throw ScsiException.invalidParameterField(offset + i, 31 - Integer.numberOfLeadingZeros(wrong));
            }
        }
        return offset + current.length;
    }
}
