package io.lunport.scsi;

import io.lunport.device.NoSpaceException;
import io.lunport.scsi.command.Cdb;
import io.lunport.scsi.command.CommandEntry;
import io.lunport.scsi.command.CommandTable;
import io.lunport.scsi.command.TargetContext;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.translation.Closeables;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SCSI target device of one iSCSI target: its logical units by LUN, and the one entry
 * point for every command. It decides what SAM-5 decides before a command runs (absent LU,
 * unit attention, unknown opcode, NACA, reservation conflict) and turns every outcome into a
 * {@link ScsiStatus}.
 *
 * <p>Thread-safety: {@link #execute} runs on many worker threads at once; the LU map is
 * replaced whole when a reload adds or removes a LUN (a command sees the old or the new
 * one), and per-LU state lives in thread-safe objects ({@link UnitAttentions},
 * {@link ModeParameters}).
 */
public final class ScsiTargetDevice implements Closeable {

    private static final Logger LOG = LoggerFactory.getLogger(ScsiTargetDevice.class);

    /** Flat addressing reaches 16383 (SAM-5 4.7.7). */
    private static final int MAX_LUN = 0x3FFF;
    /** CONTROL byte bit 2. lunport does not implement ACA. */
    private static final int NACA = 0x04;

    /** Replaced whole (copy on write) when a reload adds or removes a LUN; read once per command. */
    private volatile LogicalUnit[] unitsByLun;
    private volatile Set<Integer> luns;
    private final Object reconfiguration = new Object();
    private final CommandTable commands = StandardCommands.TABLE;
    private volatile TargetContext context;

    public ScsiTargetDevice(Map<Integer, LogicalUnit> unitsByLun) {
        TreeMap<Integer, LogicalUnit> sorted = new TreeMap<>(unitsByLun);
        if (!sorted.isEmpty() && (sorted.firstKey() < 0 || sorted.lastKey() > MAX_LUN)) {
            throw new IllegalArgumentException("LUNs must be 0.." + MAX_LUN + ": " + sorted.keySet());
        }
        this.context = new TargetContext(List.of(), commands, Collections.emptySortedSet(), new CopyTargets(),
                TaskAborter.NONE);
        install(sorted);
    }

    /** Makes {@code sorted} the LUNs served. Callers hold {@link #reconfiguration} or construct. */
    private void install(TreeMap<Integer, LogicalUnit> sorted) {
        // An array, not the map: the lookup on every command must not box the LUN.
        LogicalUnit[] array = new LogicalUnit[sorted.isEmpty() ? 0 : sorted.lastKey() + 1];
        sorted.forEach((lun, unit) -> array[lun] = unit);
        this.unitsByLun = array;
        this.luns = Collections.unmodifiableSet(new TreeSet<>(sorted.keySet()));
        this.context = context.withSortedLuns(List.copyOf(luns));
    }

    private TreeMap<Integer, LogicalUnit> current() {
        TreeMap<Integer, LogicalUnit> map = new TreeMap<>();
        LogicalUnit[] array = unitsByLun;
        for (int lun = 0; lun < array.length; lun++) {
            if (array[lun] != null) {
                map.put(lun, array[lun]);
            }
        }
        return map;
    }

    /** The logical units served now, in LUN order. */
    public List<LogicalUnit> units() {
        return List.copyOf(current().values());
    }

    /**
     * Serves {@code unit} as {@code lun} from now on (a reload). Every nexus known to the
     * other LUNs gets the unit attention REPORTED LUNS DATA HAS CHANGED (SPC-4 6.33).
     */
    public void addUnit(int lun, LogicalUnit unit) {
        if (lun < 0 || lun > MAX_LUN) {
            throw new IllegalArgumentException("LUNs must be 0.." + MAX_LUN + ": " + lun);
        }
        synchronized (reconfiguration) {
            TreeMap<Integer, LogicalUnit> map = current();
            if (map.putIfAbsent(lun, unit) != null) {
                throw new IllegalArgumentException("LUN " + lun + " is already served");
            }
            install(map);
            announceLunChange(unit);
        }
    }

    /**
     * Stops serving {@code lun} (a reload) and returns its unit for the caller to close once
     * commands already running on it have ended; null when there was none. The nexuses of the
     * remaining LUNs get REPORTED LUNS DATA HAS CHANGED.
     */
    public LogicalUnit removeUnit(int lun) {
        synchronized (reconfiguration) {
            TreeMap<Integer, LogicalUnit> map = current();
            LogicalUnit removed = map.remove(lun);
            if (removed != null) {
                install(map);
                announceLunChange(null);
            }
            return removed;
        }
    }

    private void announceLunChange(LogicalUnit except) {
        for (LogicalUnit unit : unitsByLun) {
            if (unit != null && unit != except) {
                unit.unitAttentions().establishForOthers(null, SenseData.ASC_REPORTED_LUNS_DATA_CHANGED,
                        SenseData.ASCQ_REPORTED_LUNS_DATA_CHANGED);
            }
        }
    }

    /**
     * The portal group tags the target is reachable through, set by the server once its portals
     * are bound: REPORT TARGET PORT GROUPS lists one target port group per tag.
     */
    public void portGroups(Collection<Integer> portalGroupTags) {
        synchronized (reconfiguration) {
            context = context.withPortGroups(Collections.unmodifiableSortedSet(new TreeSet<>(portalGroupTags)));
        }
    }

    /**
     * The server's LUs, which EXTENDED COPY sent to this target may copy between; set by the
     * server before it serves. Until then a copy reaches no LU.
     */
    public void copyTargets(CopyTargets targets) {
        synchronized (reconfiguration) {
            context = context.withCopyTargets(targets);
        }
    }

    /** The transport's way to abort other nexuses' tasks (PREEMPT AND ABORT); set once it exists. */
    public void taskAborter(TaskAborter aborter) {
        synchronized (reconfiguration) {
            context = context.withTaskAborter(aborter);
        }
    }

    public Set<Integer> luns() {
        return luns;
    }

    /** The table this device dispatches through (REPORT SUPPORTED OPERATION CODES lists it). */
    public CommandTable commands() {
        return commands;
    }

    /**
     * Runs one command to completion. Called on a worker thread (may block on disk I/O), by
     * many threads at once. Never throws: every failure becomes a status with sense.
     */
    public ScsiStatus execute(ScsiTask task) {
        LogicalUnit unit = unit(task.lun());
        LunStatistics statistics = unit == null ? LunStatistics.NONE : unit.statistics();
        statistics.commandStarted();
        ScsiStatus status = run(task, unit);
        statistics.commandEnded(status.hasSense() ? SenseData.senseKey(status.sense()) : LunStatistics.NO_SENSE_KEY);
        return status;
    }

    private ScsiStatus run(ScsiTask task, LogicalUnit unit) {
        try {
            dispatch(task, unit);
            return ScsiStatus.GOOD;
        } catch (ScsiException e) {
            return e.status();
        } catch (NoSpaceException e) {
            return ScsiStatus.checkCondition(SenseData.of(SenseData.DATA_PROTECT, SenseData.ASC_WRITE_PROTECTED,
                    SenseData.ASCQ_SPACE_ALLOCATION_FAILED));
        } catch (IOException e) {
            return ScsiStatus.checkCondition(
                    SenseData.of(SenseData.MEDIUM_ERROR, SenseData.ASC_UNRECOVERED_READ_ERROR, 0));
        } catch (RuntimeException e) {
            LOG.warn("internal failure in SCSI command on LUN {}", task.lun(), e);
            return ScsiStatus.checkCondition(
                    SenseData.of(SenseData.HARDWARE_ERROR, SenseData.ASC_INTERNAL_TARGET_FAILURE, 0));
        }
    }

    private void dispatch(ScsiTask task, LogicalUnit unit) throws ScsiException, IOException {
        ByteBuffer cdb = task.cdb();
        int opcode = Cdb.opcode(cdb);
        CommandEntry entry = commands.lookup(opcode, Cdb.serviceAction(cdb));
        if (unit == null) {
            if (entry == null || !entry.servesAbsentLun()) {
                throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_LOGICAL_UNIT_NOT_SUPPORTED, 0);
            }
        } else {
            UnitAttentions attentions = unit.unitAttentions();
            attentions.register(task.nexus());
            if (entry == null || !entry.servesAbsentLun()) {
                byte[] attention = attentions.take(task.nexus());
                if (attention != null) {
                    throw new ScsiException(ScsiStatus.checkCondition(attention));
                }
            }
        }
        if (entry == null) {
            if (commands.knowsOpcode(opcode)) {
                throw ScsiException.invalidCdbField(CommandTable.SERVICE_ACTION_BYTE, 4);
            }
            throw ScsiException.check(SenseData.ILLEGAL_REQUEST, SenseData.ASC_INVALID_COMMAND_OPERATION_CODE, 0);
        }
        // The transport may hand a 16-byte CDB field for a shorter command: the table knows the length.
        int control = entry.cdbLength() - 1;
        if (cdb.limit() <= control) {
            throw ScsiException.invalidCdbField(0, -1);
        }
        if ((cdb.get(control) & NACA) != 0) {
            throw ScsiException.invalidCdbField(control, 2);
        }
        // The one reservation check (SPC-4 5.13.1, table 65), before the command starts.
        if (unit != null && unit.reservations().conflicts(task.nexus(), cdb)) {
            throw new ScsiException(ScsiStatus.RESERVATION_CONFLICT);
        }
        entry.handler().execute(task, unit, context);
    }

    /** The unit served as {@code lun}, or null. */
    public LogicalUnit unit(int lun) {
        LogicalUnit[] units = unitsByLun; // one read of the volatile table
        return lun >= 0 && lun < units.length ? units[lun] : null;
    }

    /**
     * LOGICAL UNIT RESET: the LU returns to its initial mode parameters, and every nexus, the
     * requester's included, sees a unit attention BUS DEVICE RESET FUNCTION OCCURRED (SAM-5
     * 6.3.3 names every I_T nexus; Linux LIO does the same, and libiscsi's MultipathIO.Reset
     * expects the condition on the path that sent the reset too). Aborting the tasks is the
     * transport's part.
     */
    public void resetLogicalUnit(int lun, ItNexus requester) {
        LogicalUnit unit = unit(lun);
        if (unit != null) {
            reset(unit, requester);
            if (requester != null) {
                unit.unitAttentions().establish(requester,
                        SenseData.ASC_RESET_OCCURRED, SenseData.ASCQ_BUS_DEVICE_RESET_FUNCTION);
            }
        }
    }

    /**
     * TARGET WARM RESET: a hard reset of every LU. SAM-5 6.3.2 names the same condition for a
     * hard reset caused by a task management function, 29h/03h BUS DEVICE RESET FUNCTION
     * OCCURRED; 29h/02h (SCSI BUS RESET OCCURRED) is for a parallel bus reset.
     */
    public void resetTarget(ItNexus requester) {
        for (LogicalUnit unit : unitsByLun) {
            if (unit != null) {
                reset(unit, requester);
            }
        }
    }

    /**
     * I_T nexus loss (logout, dropped connection, session reinstatement): the nexus' SPC-2
     * reservations end. Persistent reservations do not (SPC-4 5.13.1).
     */
    public void nexusLost(ItNexus nexus) {
        for (LogicalUnit unit : unitsByLun) {
            if (unit != null) {
                unit.reservations().nexusLost(nexus);
            }
        }
    }

    private static void reset(LogicalUnit unit, ItNexus requester) {
        unit.modeParameters().resetToDefaults();
        unit.reservations().reset();
        unit.unitAttentions().establishForOthers(requester,
                SenseData.ASC_RESET_OCCURRED, SenseData.ASCQ_BUS_DEVICE_RESET_FUNCTION);
    }

    /** Closes every device; the first failure is thrown after all were tried. */
    @Override
    public void close() throws IOException {
        Closeables.closeAll(Arrays.stream(unitsByLun).filter(Objects::nonNull).map(LogicalUnit::device).toList());
    }
}
