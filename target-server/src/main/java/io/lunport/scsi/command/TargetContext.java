package io.lunport.scsi.command;

import java.util.List;

/** What a handler may know about the target device beyond its own LU. */
public record TargetContext(List<Integer> sortedLuns, CommandTable commands) {
}
