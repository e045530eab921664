package io.lunport.translation.vmdk;

import io.lunport.translation.blockmap.Run;
import java.nio.ByteBuffer;

/** A ZERO extent: no file, reads as zeros. */
record ZeroExtent(long start, long size) implements VmdkExtent {

    @Override
    public Run runAt(long offset, long maxLength) {
        return new Run(Run.Kind.ZERO, offset, Math.min(maxLength, start + size - offset), -1);
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) {
        throw new IllegalStateException("a ZERO extent stores no bytes");
    }

    @Override
    public String label() {
        return "ZERO";
    }
}
