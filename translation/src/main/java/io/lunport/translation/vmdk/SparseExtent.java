package io.lunport.translation.vmdk;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.MediumException;
import io.lunport.translation.TranslationContext;
import io.lunport.translation.cache.OffHeapDataCache;
import io.lunport.translation.blockmap.EntryTable;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.Run;
import io.lunport.translation.codec.Decompressor;
import io.lunport.translation.codec.ZlibDecompressor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A hosted sparse extent: grain g of the extent is found through grain directory entry
 * {@code g / numGTEsPerGT}, which names the sector of a grain table, whose entry
 * {@code g % numGTEsPerGT} names the grain's sector: 0 for a grain never written (the
 * parent's bytes, or zeros), 1 for a zero grain when the header enables them, otherwise
 * the sector where the grain (or, compressed, its marker) starts.
 *
 * <p>Grain directory pages ({@link #GD_PAGE_ENTRIES} entries) and grain tables load through
 * the context's metadata cache. A read of a whole compressed grain inflates it straight into
 * the caller's buffer; a partial one goes through the context's data cache.
 *
 * <p>Memory cost with the usual 64 KiB grains and 512-entry tables: 2 KiB of grain table per
 * 32 MiB of disk, 64 MiB per TB, and 128 KiB of grain directory per TB, all of it held only
 * as far as the bounded metadata cache keeps it. Thread-safe without locks.
 */
final class SparseExtent implements VmdkExtent {

    static final int GD_PAGE_ENTRIES = 4096;
    private static final int MARKER_LENGTH = 12;
    /**
     * Inflaters for compressed grains, shared by every extent: the pool holds one worker
     * (an {@link java.util.zip.Inflater} and a direct buffer of up to two grains) per thread
     * that ever inflated at once, and is never closed (the Inflaters' cleaners free them).
     */
    private static final ZlibDecompressor INFLATE = new ZlibDecompressor();

    private final long start;
    private final ImageFile image;
    private final Path file;
    private final long fileSize;
    private final SparseHeader header;
    private final TranslationContext context;
    private final long grainBytes;
    private final OffHeapDataCache.UnitDecoder grainDecoder = this::inflateGrain;
    private final long gtCoverage;

    SparseExtent(long start, ImageFile image, SparseHeader header, TranslationContext context) {
        this.start = start;
        this.image = image;
        this.file = image.path();
        this.fileSize = image.size();
        this.header = header;
        this.context = context;
        this.grainBytes = header.grainBytes();
        this.gtCoverage = grainBytes * header.gtesPerGt();
    }

    SparseHeader header() {
        return header;
    }

    @Override
    public long start() {
        return start;
    }

    @Override
    public long size() {
        return header.capacityBytes();
    }

    @Override
    public String label() {
        return (header.compressed() ? "SPARSE (deflate) " : "SPARSE ") + file.getFileName();
    }

    @Override
    public Run runAt(long offset, long maxLength) throws IOException {
        long rel = offset - start;
        long max = Math.min(maxLength, size() - rel);
        long gdIndex = rel / gtCoverage;
        long gdEntryAt = header.gdOffset() * SparseHeader.SECTOR + gdIndex * 4;
        byte[] gdPage = directoryPage(gdIndex / GD_PAGE_ENTRIES);
        long gt = Integer.toUnsignedLong(EntryTable.entryAt(gdPage, (int) (gdIndex % GD_PAGE_ENTRIES)));
        if (gt == 0) {
            // No grain table: every grain it would hold is unallocated.
            return new Run(Run.Kind.UNALLOCATED, offset, Math.min(max, (gdIndex + 1) * gtCoverage - rel), -1);
        }
        long gtAt = gt * SparseHeader.SECTOR;
        long gtLength = 4L * header.gtesPerGt();
        if (gtAt + gtLength > fileSize) {
            throw new ImageFormatException(file, gdEntryAt, "grain directory entry", "grain table at sector " + gt
                    + " lies past the end of the file (" + fileSize + " bytes)");
        }
        byte[] table = context.metadata(this, gtAt, () -> image.readStoredArray(gtAt, (int) gtLength, offset));
        long grain = rel / grainBytes;
        return EntryTable.runAt(table, (int) (grain % header.gtesPerGt()), header.gtesPerGt(), grainBytes, offset,
                rel % grainBytes, max, (i, entry) -> grainAt(gtAt + 4L * i, entry),
                header.compressed() ? Run.Kind.COMPRESSED : Run.Kind.DATA);
    }

    private long grainAt(long entryAt, int entry) throws ImageFormatException {
        if (entry == 0) {
            return EntryTable.Decoder.UNALLOCATED;
        }
        if (entry == 1 && header.zeroGrains()) {
            return EntryTable.Decoder.ZERO;
        }
        long host = Integer.toUnsignedLong(entry) * SparseHeader.SECTOR;
        if (host >= fileSize) {
            throw new ImageFormatException(file, entryAt, "grain table entry", "grain at sector "
                    + Integer.toUnsignedString(entry) + " lies past the end of the file (" + fileSize + " bytes)");
        }
        return host;
    }

    /** Page {@code page} of the grain directory; keyed by negative positions, apart from grain tables. */
    private byte[] directoryPage(long page) throws IOException {
        long first = page * GD_PAGE_ENTRIES;
        int entries = (int) Math.min(GD_PAGE_ENTRIES, header.gdEntries() - first);
        long at = header.gdOffset() * SparseHeader.SECTOR + first * 4;
        return context.metadata(this, -1 - page, () -> image.readStoredArray(at, entries * 4, -1));
    }

    @Override
    public void readStored(Run run, long offset, ByteBuffer dst) throws IOException {
        if (run.kind() == Run.Kind.DATA) {
            image.readStored(run.host() + (offset - run.offset()), dst, offset);
            return;
        }
        long inGrain = (offset - start) % grainBytes;
        int n = dst.remaining();
        if (inGrain == 0 && n == grainBytes) {
            // A whole grain inflates straight into the caller's buffer: no allocation, no cache
            // entry (a sequential read never comes back for it; qemu keeps none either).
            int produced = inflateGrain(run.host(), offset, dst);
            if (produced < n) {
                throw tooShort(run.host(), offset, produced, inGrain);
            }
            return;
        }
        int produced = context.data(this, run.host(), (int) grainBytes, grainDecoder, offset, (int) inGrain, dst);
        if (inGrain + n > produced) {
            throw tooShort(run.host(), offset, produced, inGrain);
        }
    }

    @Override
    public ImageFile fileOf(Run run) {
        return image;
    }

    private MediumException tooShort(long host, long offset, int produced, long inGrain) {
        return new MediumException(offset, file + ": the compressed grain at " + host + " inflates to "
                + produced + " bytes, too few for the bytes read at offset " + inGrain + " in it");
    }

    /**
     * Reads the compressed grain at {@code host} (a marker {u64 lba, u32 size} and a zlib
     * stream) into a pooled direct buffer and inflates it into {@code out}, at most a grain.
     *
     * @return how many bytes the grain inflated to
     */
    private int inflateGrain(long host, long virtualOffset, ByteBuffer out) throws IOException {
        Decompressor.Worker worker = INFLATE.acquire();
        try {
            long dataAt = host;
            // Without a marker the stream's length is unknown: it ends within two grains (as qemu assumes).
            int length = (int) Math.min(fileSize - host, 2 * grainBytes);
            if (header.markers()) {
                if (fileSize - host < MARKER_LENGTH) {
                    throw new MediumException(virtualOffset, file + ": the grain marker at " + host
                            + " is cut off by the end of the file");
                }
                ByteBuffer marker = worker.input(MARKER_LENGTH);
                image.readStored(host, marker, virtualOffset);
                long size = Integer.toUnsignedLong(Integer.reverseBytes(marker.getInt(8))); // little-endian
                dataAt = host + MARKER_LENGTH;
                if (size == 0 || size > 2 * grainBytes || dataAt + size > fileSize) {
                    throw new MediumException(virtualOffset, file + ": the grain marker at " + host + " gives a size of "
                            + size + " bytes, not between 1 and " + 2 * grainBytes + " within the file (" + fileSize
                            + " bytes)");
                }
                length = (int) size;
            }
            ByteBuffer compressed = worker.input(length);
            image.readStored(dataAt, compressed, virtualOffset);
            compressed.flip();
            int before = out.position();
            int end = out.limit();
            out.limit((int) Math.min(end, before + grainBytes));
            String problem;
            try {
                problem = worker.decompress(compressed, out);
            } finally {
                out.limit(end);
            }
            if (problem != null) {
                throw new MediumException(virtualOffset, file + ": the compressed grain at " + host
                        + " does not inflate: " + problem);
            }
            return out.position() - before;
        } finally {
            INFLATE.release(worker);
        }
    }
}
