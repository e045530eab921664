package io.lunport.scsi.command;

import java.util.List;
import java.util.SortedSet;

/**
 * What a handler may know about the target device beyond its own LU.
 *
 * @param portGroups the portal group tags of the portals the target is reachable through, one
 *                   target port group (and one target port) each; empty until the transport has
 *                   bound its portals
 */
public record TargetContext(List<Integer> sortedLuns, CommandTable commands, SortedSet<Integer> portGroups) {
}
