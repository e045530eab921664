package io.lunport.scsi.command;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Maps opcode and service action to a {@link CommandEntry}: the one place that says which
 * commands lunport implements. REPORT SUPPORTED OPERATION CODES is generated from it.
 *
 * <p>Immutable. Lookup is two array indexations, no allocation.
 */
public final class CommandTable {

    /** Where the service action sits in every CDB that has one (SPC-4 4.2.5): byte 1, bits 4..0. */
    public static final int SERVICE_ACTION_BYTE = 1;

    private final List<CommandEntry> entries;
    private final CommandEntry[] byOpcode = new CommandEntry[256];
    private final CommandEntry[][] byServiceAction = new CommandEntry[256][];

    public CommandTable(List<CommandEntry> entries) {
        List<CommandEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingInt(CommandEntry::opcode).thenComparingInt(CommandEntry::serviceAction));
        this.entries = List.copyOf(sorted);
        for (CommandEntry e : this.entries) {
            if (e.hasServiceAction()) {
                if (byOpcode[e.opcode()] != null) {
                    throw new IllegalArgumentException("opcode with and without service action: " + e.opcode());
                }
                if (byServiceAction[e.opcode()] == null) {
                    byServiceAction[e.opcode()] = new CommandEntry[32];
                }
                if (byServiceAction[e.opcode()][e.serviceAction()] != null) {
                    throw new IllegalArgumentException("duplicate entry " + e.opcode() + "/" + e.serviceAction());
                }
                byServiceAction[e.opcode()][e.serviceAction()] = e;
            } else {
                if (byOpcode[e.opcode()] != null || byServiceAction[e.opcode()] != null) {
                    throw new IllegalArgumentException("duplicate entry " + e.opcode());
                }
                byOpcode[e.opcode()] = e;
            }
        }
    }

    /** Every entry, by opcode then service action. */
    public List<CommandEntry> entries() {
        return entries;
    }

    /** Whether the opcode is one whose commands are told apart by a service action. */
    public boolean hasServiceActions(int opcode) {
        return byServiceAction[opcode & 0xFF] != null;
    }

    public boolean knowsOpcode(int opcode) {
        return byOpcode[opcode & 0xFF] != null || byServiceAction[opcode & 0xFF] != null;
    }

    /** The entry for the opcode (and, for opcodes with service actions, the action); or null. */
    public CommandEntry lookup(int opcode, int serviceAction) {
        CommandEntry[] actions = byServiceAction[opcode & 0xFF];
        if (actions != null) {
            return serviceAction >= 0 && serviceAction < actions.length ? actions[serviceAction] : null;
        }
        return byOpcode[opcode & 0xFF];
    }
}
