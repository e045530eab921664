package io.lunport.config;

import java.util.List;

/**
 * One iSCSI target: its name, who may log in, and its LUNs.
 *
 * @param alias      TargetAlias, or null
 * @param chap       what an initiator must prove, or null for no authentication
 * @param mutual     what the target proves when the initiator asks, or null
 * @param initiators the InitiatorNames allowed to log in and to see it in discovery; empty: any
 * @param origin     the {@code iqn} key ({@code targets[1].iqn}) or the flag that made the target
 */
public record TargetConfig(String iqn, String alias, ChapConfig chap, ChapConfig mutual, List<String> initiators,
                           List<LunConfig> luns, Origin origin) {

    public TargetConfig {
        initiators = List.copyOf(initiators);
        luns = List.copyOf(luns);
    }

    public boolean admits(String initiatorName) {
        return initiators.isEmpty() || initiators.contains(initiatorName);
    }

    /**
     * The stem of this target's files in the state directory: the alias, else the part of
     * the name after its last ':' ({@code web01} for {@code iqn.2026-11.io.lunport:web01}).
     */
    public String stateName() {
        String stem = alias != null ? alias : iqn.substring(iqn.lastIndexOf(':') + 1);
        return stem.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
