package io.lunport.translation.vmdk;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * The header of a hosted sparse extent ("KDMV", VMDK version 1 to 3), checked against the
 * file it came from. All sizes and offsets in the file are in 512-byte sectors; this record
 * keeps them in sectors too. When the header says the grain directory is at the end
 * ({@link #GD_AT_END}, stream-optimized images written as a stream), the copy of the
 * header in the footer, 1024 bytes before the end of the file, is the one that counts.
 *
 * @param capacity       extent size in sectors
 * @param grainSize      grain size in sectors
 * @param gdOffset       sector of the grain directory in use (the redundant one when the primary is absent)
 * @param gdEntries      entries in the grain directory
 * @param compressed     grains are deflate streams (compressAlgorithm 1)
 * @param markers        each compressed grain starts with a 12-byte marker {u64 lba, u32 size}
 * @param zeroGrains     a grain table entry of 1 means "zero grain"
 * @param headerAt       file offset of the header in use (0, or the footer's)
 */
record SparseHeader(int version, int flags, long capacity, long grainSize, long descriptorOffset,
                    long descriptorSize, int gtesPerGt, long gdOffset, long gdEntries, boolean compressed,
                    boolean markers, boolean zeroGrains, long headerAt) {

    static final int MAGIC = 0x564d444b; // "KDMV" read little-endian
    static final long GD_AT_END = 0xffffffffffffffffL;
    static final int SECTOR = 512;
    static final int FLAG_RGD = 1 << 1;
    static final int FLAG_ZERO_GRAIN = 1 << 2;
    static final int FLAG_COMPRESSED = 1 << 16;
    static final int FLAG_MARKERS = 1 << 17;
    /** Grains above 16 MiB would make one decoded grain a burden on the data cache; VMware uses 64 KiB. */
    static final long MAX_GRAIN_SECTORS = 32 * 1024;
    /** 2^41 sectors = 1 PiB, far above VMware's 62 TB limit, far below overflow. */
    static final long MAX_CAPACITY_SECTORS = 1L << 41;
    /** An embedded descriptor larger than this is not a descriptor (qemu reads at most 1 MiB). */
    static final long MAX_DESCRIPTOR_SECTORS = 2048;
    private static final int FOOTER_MARKER = 3;

    /** Reads the header of {@code file} (and the footer when the header says so) and checks it. */
    static SparseHeader read(ImageFile image) throws IOException {
        Path file = image.path();
        long fileSize = image.size();
        ByteBuffer first = readSector(image, 0, "header");
        if (first.getLong(56) != GD_AT_END) {
            return parse(file, first, 0, fileSize);
        }
        if (fileSize < 4L * SECTOR) {
            throw new ImageFormatException(file, 56, "gdOffset",
                    "the grain directory is at the end but the file is too short for a footer");
        }
        long markerAt = fileSize - 3L * SECTOR;
        ByteBuffer marker = readSector(image, markerAt, "footer marker");
        ByteBuffer eos = readSector(image, fileSize - SECTOR, "end-of-stream marker");
        if (marker.getInt(8) != 0 || marker.getInt(12) != FOOTER_MARKER) {
            throw new ImageFormatException(file, markerAt, "footer marker",
                    "gdOffset says the grain directory is at the end, but there is no footer marker 1536 bytes before the end");
        }
        if (eos.getLong(0) != 0 || eos.getInt(8) != 0 || eos.getInt(12) != 0) {
            throw new ImageFormatException(file, fileSize - SECTOR, "end-of-stream marker", "not an end-of-stream marker");
        }
        long footerAt = fileSize - 2L * SECTOR;
        ByteBuffer footer = readSector(image, footerAt, "footer");
        if (footer.getInt(0) != MAGIC) {
            throw new ImageFormatException(file, footerAt, "footer magic", "not KDMV");
        }
        if (footer.getLong(56) == GD_AT_END) {
            throw new ImageFormatException(file, footerAt + 56, "gdOffset", "the footer, too, says the grain directory is at the end");
        }
        return parse(file, footer, footerAt, fileSize);
    }

    /** The 512-byte sector at {@code at}, which must lie inside the file. */
    private static ByteBuffer readSector(ImageFile image, long at, String what) throws IOException {
        if (at < 0 || at + SECTOR > image.size()) {
            throw new ImageFormatException(image.path(), at, what, "the file (" + image.size()
                    + " bytes) ends before the 512-byte " + what);
        }
        return ByteBuffer.wrap(image.readBytes(at, SECTOR)).order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Checks the header in {@code h} (a 512-byte sector read from {@code at}). */
    static SparseHeader parse(Path file, ByteBuffer h, long at, long fileSize) throws ImageFormatException {
        if (h.getInt(0) != MAGIC) {
            throw new ImageFormatException(file, at, "magic", "not KDMV");
        }
        int version = h.getInt(4);
        int flags = h.getInt(8);
        long capacity = h.getLong(12);
        long grainSize = h.getLong(20);
        long descriptorOffset = h.getLong(28);
        long descriptorSize = h.getLong(36);
        int gtesPerGt = h.getInt(44);
        long rgdOffset = h.getLong(48);
        long gdOffset = h.getLong(56);
        int compressAlgorithm = h.getShort(77) & 0xffff;
        if (version < 1 || version > 3) {
            throw new ImageFormatException(file, at + 4, "version", Integer.toUnsignedString(version) + " is not 1, 2 or 3");
        }
        if (capacity <= 0 || capacity > MAX_CAPACITY_SECTORS) {
            throw new ImageFormatException(file, at + 12, "capacity", Long.toUnsignedString(capacity)
                    + " sectors is not between 1 and " + MAX_CAPACITY_SECTORS);
        }
        if (grainSize <= 0 || grainSize > MAX_GRAIN_SECTORS) {
            throw new ImageFormatException(file, at + 20, "grainSize", Long.toUnsignedString(grainSize)
                    + " sectors is not between 1 and " + MAX_GRAIN_SECTORS);
        }
        if (gtesPerGt <= 0 || gtesPerGt > 512) {
            throw new ImageFormatException(file, at + 44, "numGTEsPerGT", Integer.toUnsignedString(gtesPerGt)
                    + " is not between 1 and 512");
        }
        if (compressAlgorithm > 1) {
            throw new ImageFormatException(file, at + 77, "compressAlgorithm", compressAlgorithm
                    + " is not 0 (none) or 1 (deflate)");
        }
        if (descriptorOffset != 0 && (descriptorOffset < 0 || descriptorSize <= 0 || descriptorSize > MAX_DESCRIPTOR_SECTORS
                || descriptorOffset > fileSize / SECTOR || (descriptorOffset + descriptorSize) * SECTOR > fileSize)) {
            throw new ImageFormatException(file, at + 28, "descriptorOffset/descriptorSize", "a descriptor of "
                    + Long.toUnsignedString(descriptorSize) + " sectors at sector " + Long.toUnsignedString(descriptorOffset)
                    + " does not fit in the file of " + fileSize + " bytes (or is larger than 1 MiB)");
        }
        long gtCoverage = gtesPerGt * grainSize;
        long gdEntries = (capacity + gtCoverage - 1) / gtCoverage;
        long gdField = 56;
        if (gdOffset == 0 && (flags & FLAG_RGD) != 0) {
            gdOffset = rgdOffset; // no primary directory: the redundant one is all there is
            gdField = 48;
        }
        if (gdOffset <= 0 || gdOffset > fileSize / SECTOR || gdOffset * SECTOR + gdEntries * 4 > fileSize) {
            throw new ImageFormatException(file, at + gdField, gdField == 56 ? "gdOffset" : "rgdOffset",
                    "a grain directory of " + gdEntries + " entries at sector " + Long.toUnsignedString(gdOffset)
                            + " does not fit in the file of " + fileSize + " bytes");
        }
        return new SparseHeader(version, flags, capacity, grainSize, descriptorOffset, descriptorSize, gtesPerGt,
                gdOffset, gdEntries, compressAlgorithm == 1, (flags & FLAG_MARKERS) != 0,
                (flags & FLAG_ZERO_GRAIN) != 0, at);
    }

    long grainBytes() {
        return grainSize * SECTOR;
    }

    long capacityBytes() {
        return capacity * SECTOR;
    }
}
