package io.lunport.translation.vdi;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.blockmap.EntryTable;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.MappedDisk;
import io.lunport.translation.blockmap.Run;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the blocks of a VDI image are: its block map, one u32 per block, read in pages of
 * {@link #PAGE_ENTRIES} entries through the context's metadata cache. An entry is the
 * block's index in the data area, {@code 0xFFFFFFFF} for a block never written (no backing
 * file exists for VDI, so it reads as zeros) or {@code 0xFFFFFFFE} for a discarded block,
 * which reads as zeros too.
 *
 * <p>Memory cost: 4 bytes of map per 1 MiB block, 4 MiB per TB, held only as far as the
 * metadata cache keeps the pages. Thread-safe without locks.
 */
final class VdiBlockMap implements MappedDisk {

    static final int PAGE_ENTRIES = 4096;
    private static final int UNALLOCATED = 0xffffffff;
    private static final int DISCARDED = 0xfffffffe;

    private final ImageFile file;
    private final long fileSize;
    private final VdiHeader header;
    private final TranslationContext context;

    VdiBlockMap(ImageFile file, VdiHeader header, TranslationContext context) {
        this.file = file;
        this.fileSize = file.size();
        this.header = header;
        this.context = context;
    }

    @Override
    public long size() {
        return header.diskSize();
    }

    @Override
    public Run runAt(long offset, long maxLength) throws IOException {
        long blockSize = header.blockSize();
        long block = offset / blockSize;
        int page = (int) (block / PAGE_ENTRIES);
        int index = (int) (block % PAGE_ENTRIES);
        int limit = (int) Math.min(PAGE_ENTRIES, header.blocks() - (long) page * PAGE_ENTRIES);
        byte[] table = page(page);
        long firstEntryAt = header.blockMapOffset() + 4L * page * PAGE_ENTRIES;
        return EntryTable.runAt(table, index, limit, blockSize, offset, offset % blockSize,
                Math.min(maxLength, size() - offset), (i, entry) -> host(firstEntryAt + 4L * i, entry), Run.Kind.DATA);
    }

    private long host(long entryAt, int entry) throws ImageFormatException {
        if (entry == UNALLOCATED) {
            return EntryTable.Decoder.UNALLOCATED;
        }
        if (entry == DISCARDED) {
            return EntryTable.Decoder.ZERO;
        }
        long index = Integer.toUnsignedLong(entry);
        long host = header.dataOffset() + index * (header.blockSize() + (long) header.blockExtra()) + header.blockExtra();
        if (index >= header.blocks() || host >= fileSize) {
            throw new ImageFormatException(file.path(), entryAt, "block map entry", "block " + index
                    + " lies at " + host + ", past the end of the file (" + fileSize + " bytes) or the image's "
                    + header.blocks() + " blocks");
        }
        return host;
    }

    private byte[] page(int page) throws IOException {
        long position = header.blockMapOffset() + 4L * page * PAGE_ENTRIES;
        int entries = (int) Math.min(PAGE_ENTRIES, header.blocks() - (long) page * PAGE_ENTRIES);
        return context.metadata(this, page, () -> file.readStoredArray(position, entries * 4, -1));
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        file.readStored(run.host() + (offset - run.offset()), dst, offset);
    }

    @Override
    public ImageFile fileOf(Run run) {
        return file;
    }
}
