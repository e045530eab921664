package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.SenseData;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;

/** MODE SENSE(6) and (10) (SPC-4 6.11, 6.12): header, optional block descriptor, pages. */
public final class ModeSense implements CommandHandler {

    public static final ModeSense SIX = new ModeSense(ModeParameterHeader.SIX);
    public static final ModeSense TEN = new ModeSense(ModeParameterHeader.TEN);

    private static final int NO_SUBPAGES = 0x00;
    private static final int ALL_SUBPAGES = 0xFF;

    private final ModeParameterHeader form;

    private ModeSense(ModeParameterHeader form) {
        this.form = form;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        boolean dbd = Cdb.bit(cdb, 1, 3);
        boolean llbaa = form == ModeParameterHeader.TEN && Cdb.bit(cdb, 1, 4);
        int pageControl = Cdb.u8(cdb, 2) >>> 6;
        int pageCode = Cdb.u8(cdb, 2) & 0x3F;
        int subpage = Cdb.u8(cdb, 3);
        int allocationLength = form == ModeParameterHeader.SIX ? Cdb.u8(cdb, 4) : Cdb.u16(cdb, 7);
        if (pageControl == ModePages.SAVED) {
            throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_SAVING_PARAMETERS_NOT_SUPPORTED, 0);
        }
        // lunport's pages have no subpages: 00h asks for the page, FFh for it and its (no) subpages.
        if (subpage != NO_SUBPAGES && subpage != ALL_SUBPAGES) {
            throw ScsiException.invalidCdbField(3, -1);
        }
        if (pageCode != ModePages.ALL_PAGES && !ModePages.isSupported(pageCode)) {
            throw ScsiException.invalidCdbField(2, 5);
        }
        ByteArrayOutputStream pages = new ByteArrayOutputStream();
        if (pageCode == ModePages.ALL_PAGES) {
            for (int code : ModePages.codes()) {
                pages.writeBytes(ModePages.page(code, pageControl, unit));
            }
        } else {
            pages.writeBytes(ModePages.page(pageCode, pageControl, unit));
        }
        byte[] data = form.build(unit, !dbd, llbaa, pages.toByteArray());
        ParameterData.send(task, data, allocationLength);
    }
}
