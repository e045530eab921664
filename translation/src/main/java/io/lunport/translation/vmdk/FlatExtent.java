package io.lunport.translation.vmdk;

import io.lunport.translation.blockmap.Run;
import io.lunport.translation.blockmap.StoredBytes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/** A FLAT (or VMFS) extent: the extent's bytes lie in order in a file, from {@code fileStart} on. */
record FlatExtent(long start, long size, Path file, FileChannel channel, long fileStart) implements VmdkExtent {

    @Override
    public Run runAt(long offset, long maxLength) {
        return new Run(Run.Kind.DATA, offset, Math.min(maxLength, start + size - offset), fileStart + (offset - start));
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        StoredBytes.read(channel, file, run.host() + (offset - run.offset()), dst, offset);
    }

    @Override
    public String label() {
        return "FLAT " + file.getFileName() + " @" + fileStart;
    }
}
