package io.lunport.scsi.command;

import io.lunport.scsi.TaskAborter;
import io.lunport.scsi.copy.CopyTargets;
import java.util.List;
import java.util.SortedSet;

/**
 * What a handler may know about the target device beyond its own LU.
 *
 * @param portGroups the portal group tags of the portals the target is reachable through, one
 *                   target port group (and one target port) each; empty until the transport has
 *                   bound its portals
 * @param copyTargets the LUs of the server an EXTENDED COPY may read and write
 * @param taskAborter how to abort other nexuses' tasks (PREEMPT AND ABORT)
 */
public record TargetContext(List<Integer> sortedLuns, CommandTable commands, SortedSet<Integer> portGroups,
        CopyTargets copyTargets, TaskAborter taskAborter) {

    public TargetContext withSortedLuns(List<Integer> luns) {
        return new TargetContext(luns, commands, portGroups, copyTargets, taskAborter);
    }

    public TargetContext withPortGroups(SortedSet<Integer> groups) {
        return new TargetContext(sortedLuns, commands, groups, copyTargets, taskAborter);
    }

    public TargetContext withCopyTargets(CopyTargets targets) {
        return new TargetContext(sortedLuns, commands, portGroups, targets, taskAborter);
    }

    public TargetContext withTaskAborter(TaskAborter aborter) {
        return new TargetContext(sortedLuns, commands, portGroups, copyTargets, aborter);
    }
}
