package io.lunport.iscsi.session;

import io.lunport.iscsi.target.IscsiTarget;
import io.lunport.iscsi.target.Portal;
import io.lunport.iscsi.target.TargetRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;

/**
 * The answer to SendTargets (RFC 7143 appendix C): every target an initiator may see (those
 * whose allow-list admits it), each with the address of every portal. A portal bound to a wildcard address is reported with
 * the address the initiator reached, the only one it is known to be able to use.
 */
final class SendTargets {

    private SendTargets() {
    }

    /**
     * @param value     "All", empty (the session's own target) or a target name
     * @param ownTarget     the target of a normal session, null in discovery
     * @param initiatorName the session's InitiatorName: targets that do not admit it stay unlisted
     */
    static byte[] answer(TargetRegistry registry, String value, IscsiTarget ownTarget, String initiatorName,
                         InetSocketAddress localAddress) {
        List<IscsiTarget> targets;
        if ("All".equals(value)) {
            targets = registry.targets().stream().sorted(Comparator.comparing(IscsiTarget::name)).toList();
        } else if (value.isEmpty()) {
            targets = ownTarget == null ? List.of() : List.of(ownTarget);
        } else {
            IscsiTarget named = registry.find(value);
            targets = named == null ? List.of() : List.of(named);
        }
        targets = targets.stream().filter(t -> t.admits(initiatorName)).toList();
        StringBuilder text = new StringBuilder();
        for (IscsiTarget target : targets) {
            text.append("TargetName=").append(target.name()).append('\0');
            for (Portal portal : registry.portals()) {
                Portal reported = portal.address().getAddress().isAnyLocalAddress()
                        ? new Portal(new InetSocketAddress(localAddress.getAddress(), portal.address().getPort()), portal.groupTag())
                        : portal;
                text.append("TargetAddress=").append(reported.targetAddress()).append('\0');
            }
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }
}
