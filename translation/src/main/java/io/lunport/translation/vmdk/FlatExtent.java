package io.lunport.translation.vmdk;

import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.Run;
import java.io.IOException;
import java.nio.ByteBuffer;

/** A FLAT (or VMFS) extent: the extent's bytes lie in order in a file, from {@code fileStart} on. */
record FlatExtent(long start, long size, ImageFile file, long fileStart) implements VmdkExtent {

    @Override
    public Run runAt(long offset, long maxLength) {
        return new Run(Run.Kind.DATA, offset, Math.min(maxLength, start + size - offset), fileStart + (offset - start));
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        file.readStored(run.host() + (offset - run.offset()), dst, offset);
    }

    @Override
    public ImageFile fileOf(Run run) {
        return file;
    }

    @Override
    public String label() {
        return "FLAT " + file.path().getFileName() + " @" + fileStart;
    }
}
