package io.lunport.scsi.pr;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;

/**
 * RESERVE(6), RESERVE(10), RELEASE(6) and RELEASE(10) (SPC-2 7.21 to 7.24): a reservation of
 * the whole LU by one I_T nexus, as older Windows clusters take it. Third-party reservations
 * (3RDPTY), LONGID and extent reservations are not supported and are refused with INVALID
 * FIELD IN CDB pointing at their bit.
 */
public final class Spc2Reservation implements CommandHandler {

    public static final Spc2Reservation RESERVE_6 = new Spc2Reservation(true, false);
    public static final Spc2Reservation RESERVE_10 = new Spc2Reservation(true, true);
    public static final Spc2Reservation RELEASE_6 = new Spc2Reservation(false, false);
    public static final Spc2Reservation RELEASE_10 = new Spc2Reservation(false, true);

    private static final int THIRD_PARTY = 4;
    private static final int LONG_ID = 1;
    private static final int EXTENT = 0;

    private final boolean reserve;
    private final boolean ten;

    private Spc2Reservation(boolean reserve, boolean ten) {
        this.reserve = reserve;
        this.ten = ten;
    }

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        if (Cdb.bit(cdb, 1, THIRD_PARTY)) {
            throw ScsiException.invalidCdbField(1, THIRD_PARTY);
        }
        if (ten && Cdb.bit(cdb, 1, LONG_ID)) {
            throw ScsiException.invalidCdbField(1, LONG_ID);
        }
        if (Cdb.bit(cdb, 1, EXTENT)) {
            throw ScsiException.invalidCdbField(1, EXTENT);
        }
        if (reserve) {
            unit.reservations().reserveSpc2(task.nexus());
        } else {
            unit.reservations().releaseSpc2(task.nexus());
        }
    }
}
