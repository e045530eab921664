package io.lunport.scsi.spc;

import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiException;
import io.lunport.scsi.ScsiTask;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandHandler;
import io.lunport.scsi.command.ParameterData;
import io.lunport.scsi.command.TargetContext;
import java.nio.ByteBuffer;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * REPORT TARGET PORT GROUPS (SPC-4 6.37): implicit ALUA with one target port group per portal
 * group tag, each holding one target port whose relative target port identifier is the tag.
 * Every path to an image is equally good, so every group is active/optimized, only that state
 * is supported, and no group is preferred.
 */
public final class ReportTargetPortGroups implements CommandHandler {

    private static final int FORMAT_LENGTH_ONLY = 0;
    private static final int FORMAT_EXTENDED = 1;
    private static final int ACTIVE_OPTIMIZED = 0x0;
    private static final int AO_SUP = 0x01;
    /** Implicit transition time in seconds: there are no transitions, the state never changes. */
    private static final int IMPLICIT_TRANSITION_TIME = 0;

    @Override
    public void execute(ScsiTask task, LogicalUnit unit, TargetContext target) throws ScsiException {
        ByteBuffer cdb = task.cdb();
        int format = Cdb.u8(cdb, 1) >>> 5;
        if (format != FORMAT_LENGTH_ONLY && format != FORMAT_EXTENDED) {
            throw ScsiException.invalidCdbField(1, 7);
        }
        long allocationLength = Cdb.u32(cdb, 6);
        SortedSet<Integer> groups = new TreeSet<>();
        target.portGroups().forEach(tag -> groups.add(portId(tag)));
        // A nexus always reaches its own group, also before the server announced its portals.
        groups.add(portId(task.nexus() == null ? 1 : task.nexus().portalGroupTag()));
        ParameterData.send(task, payload(groups, format == FORMAT_EXTENDED), allocationLength);
    }

    /** The parameter data for the groups (their ids, ascending), in either header format. */
    static byte[] payload(SortedSet<Integer> groups, boolean extended) {
        int header = extended ? 8 : 4;
        int descriptors = 12 * groups.size();
        ByteBuffer d = ByteBuffer.allocate(header + descriptors);
        // RETURN DATA LENGTH: the descriptor list (in the length-only format, the bytes after it).
        d.putInt(descriptors);
        if (extended) {
            d.put((byte) 0x10); // FORMAT TYPE 001b
            d.put((byte) IMPLICIT_TRANSITION_TIME);
            d.putShort((short) 0);
        }
        for (int id : groups) {
            d.put((byte) ACTIVE_OPTIMIZED); // PREF 0
            d.put((byte) AO_SUP); // T_SUP, O_SUP, U_SUP, S_SUP, AN_SUP 0
            d.putShort((short) id); // TARGET PORT GROUP
            d.put((byte) 0);
            d.put((byte) 0); // STATUS CODE: no status available
            d.put((byte) 0);
            d.put((byte) 1); // TARGET PORT COUNT
            d.putShort((short) 0);
            d.putShort((short) id); // RELATIVE TARGET PORT IDENTIFIER
        }
        return d.array();
    }

    /**
     * The target port group and relative target port identifier of a portal group tag: the tag
     * itself (0 is reserved for relative target ports, so a tag 0 becomes 1).
     */
    static int portId(int portalGroupTag) {
        return Math.max(1, portalGroupTag & 0xFFFF);
    }
}
