package io.lunport.translation.vhdx.synth;

import io.lunport.translation.vhdx.VhdxGuid;
import java.util.Arrays;

/**
 * A user metadata item to place in a synthesized VHDX: IsUser set, never IsRequired, so that
 * every reader that does not know {@code id} skips it (a lunport stub's source pointer).
 */
public record VhdxUserItem(VhdxGuid id, byte[] content) {

    public VhdxUserItem {
        content = content.clone();
    }

    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VhdxUserItem other && id.equals(other.id) && Arrays.equals(content, other.content);
    }

    @Override
    public int hashCode() {
        return id.hashCode() * 31 + Arrays.hashCode(content);
    }
}
