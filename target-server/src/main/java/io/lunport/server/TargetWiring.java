package io.lunport.server;

import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.overlay.OverlayBlockDevice;
import io.lunport.scsi.LogicalUnit;
import io.lunport.scsi.ScsiTargetDevice;
import io.lunport.scsi.TaskAborter;
import io.lunport.scsi.copy.CopyTargets;
import io.lunport.server.metrics.LunMetrics;
import io.lunport.server.metrics.ServerMetrics;
import java.util.List;

/**
 * What every served target and LU is plugged into, the same at start and on a reload: its
 * metrics, the registry EXTENDED COPY finds LUs in, the transport's task aborter (PREEMPT AND
 * ABORT) and the portal groups (ALUA). A reload that takes a target or LU away unplugs it, so
 * that its metrics leave /metrics and JMX and no copy reaches it.
 */
final class TargetWiring {

    private final ServerMetrics metrics;
    private final CopyTargets copyTargets;
    private final TaskAborter taskAborter;
    private final List<Integer> portalGroupTags;

    TargetWiring(ServerMetrics metrics, CopyTargets copyTargets, TaskAborter taskAborter, List<Integer> portalGroupTags) {
        this.metrics = metrics;
        this.copyTargets = copyTargets;
        this.taskAborter = taskAborter;
        this.portalGroupTags = List.copyOf(portalGroupTags);
    }

    /** Plugs in a target and each of its LUs; call before the target is registered for logins. */
    void plugIn(IscsiTarget target) {
        ScsiTargetDevice device = target.device();
        metrics.addTarget(target.name());
        device.copyTargets(copyTargets);
        device.taskAborter(taskAborter);
        device.portGroups(portalGroupTags);
        for (int lun : device.luns()) {
            plugIn(target.name(), lun, device.unit(lun));
        }
    }

    /** Plugs in one LU of {@code targetName}; call before the device serves it. */
    void plugIn(String targetName, int lun, LogicalUnit unit) {
        metrics.add(LunMetrics.attach(targetName, lun, unit,
                unit.device() instanceof OverlayBlockDevice overlay ? overlay::bytesUsed : null));
        copyTargets.register(targetName, unit);
    }

    /** Unplugs a target taken away, with its LUs. */
    void unplug(IscsiTarget target) {
        ScsiTargetDevice device = target.device();
        for (int lun : device.luns()) {
            unplug(target.name(), lun, device.unit(lun));
        }
        metrics.removeTarget(target.name());
    }

    /** Unplugs one LU taken away from {@code targetName}. */
    void unplug(String targetName, int lun, LogicalUnit unit) {
        copyTargets.unregister(unit);
        metrics.remove(targetName, lun);
    }
}
