package io.lunport.scsi;

import static io.lunport.scsi.command.CommandEntry.NO_SERVICE_ACTION;
import static io.lunport.scsi.command.CommandEntry.usage;

import io.lunport.scsi.command.CommandEntry;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.CommandTable;
import io.lunport.scsi.copy.ExtendedCopy;
import io.lunport.scsi.copy.ReceiveCopyResults;
import io.lunport.scsi.pr.PersistentReserveIn;
import io.lunport.scsi.pr.PersistentReserveOut;
import io.lunport.scsi.pr.Spc2Reservation;
import io.lunport.scsi.sbc.BlockCdbLayout;
import io.lunport.scsi.sbc.CompareAndWrite;
import io.lunport.scsi.sbc.OrWrite;
import io.lunport.scsi.sbc.PreFetch;
import io.lunport.scsi.sbc.GetLbaStatus;
import io.lunport.scsi.sbc.Read;
import io.lunport.scsi.sbc.ReadCapacity;
import io.lunport.scsi.sbc.ReadDefectData;
import io.lunport.scsi.sbc.SynchronizeCache;
import io.lunport.scsi.sbc.Unmap;
import io.lunport.scsi.sbc.Verify;
import io.lunport.scsi.sbc.Write;
import io.lunport.scsi.sbc.WriteAndVerify;
import io.lunport.scsi.sbc.WriteAtomic;
import io.lunport.scsi.sbc.WriteSame;
import io.lunport.scsi.spc.Inquiry;
import io.lunport.scsi.spc.ModeSelect;
import io.lunport.scsi.spc.ModeSense;
import io.lunport.scsi.spc.PreventAllowMediumRemoval;
import io.lunport.scsi.spc.ReportLuns;
import io.lunport.scsi.spc.ReportSupportedOperationCodes;
import io.lunport.scsi.spc.ReportSupportedTaskManagementFunctions;
import io.lunport.scsi.spc.ReportTargetPortGroups;
import io.lunport.scsi.spc.RequestSense;
import java.util.List;

/**
 * The commands lunport implements: one row per opcode (and service action), with the CDB usage
 * data REPORT SUPPORTED OPERATION CODES returns. Adding a command is adding a row.
 *
 * <p>Usage data bits are set only for fields the handler decodes; the CONTROL byte reads 00h
 * because NACA is refused and LINK is obsolete.
 */
final class StandardCommands {

    /** Commands that need no logical unit, and that a pending unit attention does not stop. */
    private static final boolean ANY_LUN = true;
    private static final boolean UNIT = false;

    private static final CommandHandler NOTHING_TO_DO = (task, unit, target) -> { };

    static final CommandTable TABLE = new CommandTable(List.of(
            // TEST UNIT READY: the medium is always ready.
            row(0x00, "00 00 00 00 00 00", UNIT, NOTHING_TO_DO),
            row(0x03, "03 01 00 00 ff 00", ANY_LUN, new RequestSense()),
            row(0x08, "08 1f ff ff ff 00", UNIT, new Read(BlockCdbLayout.SIX)),
            row(0x0A, "0a 1f ff ff ff 00", UNIT, new Write(BlockCdbLayout.SIX)),
            row(0x12, "12 01 ff ff ff 00", ANY_LUN, new Inquiry()),
            row(0x15, "15 11 00 00 ff 00", UNIT, ModeSelect.SIX),
            // Reservations (io.lunport.scsi.pr): SPC-2 RESERVE/RELEASE of the whole LU.
            row(0x16, "16 00 00 00 00 00", UNIT, Spc2Reservation.RESERVE_6),
            row(0x17, "17 00 00 00 00 00", UNIT, Spc2Reservation.RELEASE_6),
            row(0x1A, "1a 08 ff ff ff 00", UNIT, ModeSense.SIX),
            // START STOP UNIT: nothing to spin; accepted so that initiators' power management works.
            row(0x1B, "1b 01 00 0f f7 00", UNIT, NOTHING_TO_DO),
            row(0x1E, "1e 00 00 00 03 00", UNIT, new PreventAllowMediumRemoval()),
            row(0x25, "25 00 ff ff ff ff 00 00 01 00", UNIT, ReadCapacity.TEN),
            row(0x28, "28 fa ff ff ff ff 00 ff ff 00", UNIT, new Read(BlockCdbLayout.TEN)),
            row(0x2A, "2a fa ff ff ff ff 00 ff ff 00", UNIT, new Write(BlockCdbLayout.TEN)),
            row(0x2E, "2e f6 ff ff ff ff 00 ff ff 00", UNIT, new WriteAndVerify(BlockCdbLayout.TEN)),
            row(0x2F, "2f f6 ff ff ff ff 00 ff ff 00", UNIT, new Verify(BlockCdbLayout.TEN)),
            row(0x34, "34 02 ff ff ff ff 00 ff ff 00", UNIT, new PreFetch(BlockCdbLayout.TEN)),
            row(0x35, "35 02 ff ff ff ff 00 ff ff 00", UNIT, new SynchronizeCache(BlockCdbLayout.TEN)),
            row(0x37, "37 00 1f 00 00 00 00 ff ff 00", UNIT, ReadDefectData.TEN),
            row(0x41, "41 f8 ff ff ff ff 00 ff ff 00", UNIT, WriteSame.TEN),
            row(0x42, "42 01 00 00 00 00 00 ff ff 00", UNIT, new Unmap()),
            row(0x55, "55 11 00 00 00 00 00 ff ff 00", UNIT, ModeSelect.TEN),
            // Reservations (io.lunport.scsi.pr): RESERVE/RELEASE(10), PERSISTENT RESERVE IN and OUT.
            row(0x56, "56 00 00 00 00 00 00 00 00 00", UNIT, Spc2Reservation.RESERVE_10),
            row(0x57, "57 00 00 00 00 00 00 00 00 00", UNIT, Spc2Reservation.RELEASE_10),
            action(0x5E, 0x00, "5e 00 00 00 00 00 00 ff ff 00", UNIT, new PersistentReserveIn(0x00)),
            action(0x5E, 0x01, "5e 01 00 00 00 00 00 ff ff 00", UNIT, new PersistentReserveIn(0x01)),
            action(0x5E, 0x02, "5e 02 00 00 00 00 00 ff ff 00", UNIT, new PersistentReserveIn(0x02)),
            action(0x5E, 0x03, "5e 03 00 00 00 00 00 ff ff 00", UNIT, new PersistentReserveIn(0x03)),
            action(0x5F, 0x00, "5f 00 00 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x00)),
            action(0x5F, 0x01, "5f 01 ff 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x01)),
            action(0x5F, 0x02, "5f 02 ff 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x02)),
            action(0x5F, 0x03, "5f 03 00 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x03)),
            action(0x5F, 0x04, "5f 04 ff 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x04)),
            action(0x5F, 0x05, "5f 05 ff 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x05)),
            action(0x5F, 0x06, "5f 06 00 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x06)),
            action(0x5F, 0x07, "5f 07 00 00 00 ff ff ff ff 00", UNIT, new PersistentReserveOut(0x07)),
            row(0x5A, "5a 18 ff ff 00 00 00 ff ff 00", UNIT, ModeSense.TEN),
            // EXTENDED COPY (LID1) and RECEIVE COPY RESULTS (io.lunport.scsi.copy): copies between the server's LUs.
            action(0x83, 0x00, "83 00 00 00 00 00 00 00 00 00 ff ff ff ff 00 00", UNIT, new ExtendedCopy()),
            action(0x84, 0x00, "84 00 ff 00 00 00 00 00 00 00 ff ff ff ff 00 00", UNIT, ReceiveCopyResults.COPY_STATUS),
            action(0x84, 0x03, "84 03 00 00 00 00 00 00 00 00 ff ff ff ff 00 00", UNIT,
                    ReceiveCopyResults.OPERATING_PARAMETERS),
            row(0x88, "88 fa ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new Read(BlockCdbLayout.SIXTEEN)),
            row(0x89, "89 fa ff ff ff ff ff ff ff ff 00 00 00 ff 00 00", UNIT, new CompareAndWrite()),
            row(0x8A, "8a fa ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new Write(BlockCdbLayout.SIXTEEN)),
            row(0x8B, "8b fa ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new OrWrite(BlockCdbLayout.SIXTEEN)),
            row(0x8E, "8e f6 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT,
                    new WriteAndVerify(BlockCdbLayout.SIXTEEN)),
            row(0x8F, "8f f6 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new Verify(BlockCdbLayout.SIXTEEN)),
            row(0x90, "90 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new PreFetch(BlockCdbLayout.SIXTEEN)),
            row(0x91, "91 02 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT,
                    new SynchronizeCache(BlockCdbLayout.SIXTEEN)),
            row(0x93, "93 f9 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, WriteSame.SIXTEEN),
            row(0x9C, "9c f8 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new WriteAtomic()),
            action(0x9E, 0x10, "9e 10 ff ff ff ff ff ff ff ff ff ff ff ff 01 00", UNIT, ReadCapacity.SIXTEEN),
            action(0x9E, 0x12, "9e 12 ff ff ff ff ff ff ff ff ff ff ff ff 00 00", UNIT, new GetLbaStatus()),
            row(0xA0, "a0 00 ff 00 00 00 ff ff ff ff 00 00", ANY_LUN, new ReportLuns()),
            // REPORT TARGET PORT GROUPS: implicit ALUA, one group per portal (PARAMETER DATA FORMAT in byte 1).
            action(0xA3, 0x0A, "a3 ea 00 00 00 00 ff ff ff ff 00 00", UNIT, new ReportTargetPortGroups()),
            action(0xA3, 0x0C, "a3 0c 87 ff ff ff ff ff ff ff 00 00", UNIT, new ReportSupportedOperationCodes()),
            action(0xA3, 0x0D, "a3 0d 80 00 00 00 ff ff ff ff 00 00", UNIT,
                    new ReportSupportedTaskManagementFunctions()),
            row(0xA8, "a8 fa ff ff ff ff ff ff ff ff 00 00", UNIT, new Read(BlockCdbLayout.TWELVE)),
            row(0xAA, "aa fa ff ff ff ff ff ff ff ff 00 00", UNIT, new Write(BlockCdbLayout.TWELVE)),
            row(0xAE, "ae f6 ff ff ff ff ff ff ff ff 00 00", UNIT, new WriteAndVerify(BlockCdbLayout.TWELVE)),
            row(0xAF, "af f6 ff ff ff ff ff ff ff ff 00 00", UNIT, new Verify(BlockCdbLayout.TWELVE)),
            row(0xB7, "b7 1f ff ff ff ff ff ff ff ff 00 00", UNIT, ReadDefectData.TWELVE)));

    private StandardCommands() {
    }

    private static CommandEntry row(int opcode, String usageData, boolean anyLun, CommandHandler handler) {
        return new CommandEntry(opcode, NO_SERVICE_ACTION, usage(usageData), anyLun, handler);
    }

    private static CommandEntry action(int opcode, int serviceAction, String usageData, boolean anyLun,
            CommandHandler handler) {
        return new CommandEntry(opcode, serviceAction, usage(usageData), anyLun, handler);
    }
}
