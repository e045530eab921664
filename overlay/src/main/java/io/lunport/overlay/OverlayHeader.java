package io.lunport.overlay;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.zip.CRC32C;

/**
 * The first 4 KiB of an overlay file: what it is, how it is laid out, and which image it
 * belongs to. Written once when the overlay is created (and again by a reset, which
 * replaces the whole file), never updated in place, so a crash can never tear it.
 *
 * <pre>
 *   0  magic "LUNPOVRL"          48  base file size   u64 (-1: unknown)
 *   8  version u32 (1)           56  base mtime ms    u64 (-1: unknown)
 *  12  grain size u32            64  identity length  u16, 66 path length u16, 68 format length u16
 *  16  data offset u64           72  identity (up to 64 bytes)
 *  24  virtual size u64         136  format name (up to 32 bytes, UTF-8)
 *  32  map offset u64           168  base path (UTF-8, up to 3924 bytes)
 *  40  map pages u32           4092  CRC32C of bytes 0..4091
 * </pre>
 * All integers little-endian.
 */
record OverlayHeader(int grainSize, long dataOffset, long virtualSize, long mapOffset, int mapPages,
                     long baseFileSize, long baseMtimeMillis, byte[] baseIdentity, String baseFormat, String basePath) {

    static final int SIZE = 4096;
    static final int VERSION = 1;
    /** Where virtual offset 0 lives in the file; a multiple of every grain size allowed. */
    static final long DATA_OFFSET = 1 << 20;
    static final int MIN_GRAIN = 512;
    static final int MAX_GRAIN = 1 << 20;
    private static final byte[] MAGIC = "LUNPOVRL".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_IDENTITY = 64;
    private static final int MAX_FORMAT = 32;
    private static final int PATH_AT = 168;
    private static final int CRC_AT = SIZE - 4;

    /** The layout for a new overlay over a disk of {@code virtualSize} bytes. */
    static OverlayHeader create(int grainSize, long virtualSize, long baseFileSize, long baseMtimeMillis,
                                byte[] baseIdentity, String baseFormat, String basePath) {
        if (Integer.bitCount(grainSize) != 1 || grainSize < MIN_GRAIN || grainSize > MAX_GRAIN) {
            throw new IllegalArgumentException("grain size must be a power of two from " + MIN_GRAIN + " to "
                    + MAX_GRAIN + ", not " + grainSize);
        }
        long grains = (virtualSize + grainSize - 1) / grainSize;
        long pages = Math.max(1, (grains + GrainMap.GRAINS_PER_PAGE - 1) / GrainMap.GRAINS_PER_PAGE);
        long mapOffset = DATA_OFFSET + grains * grainSize;
        mapOffset = (mapOffset + GrainMap.PAGE_SIZE - 1) & -GrainMap.PAGE_SIZE;
        byte[] identity = baseIdentity.length > MAX_IDENTITY ? Arrays.copyOf(baseIdentity, MAX_IDENTITY) : baseIdentity;
        return new OverlayHeader(grainSize, DATA_OFFSET, virtualSize, mapOffset, (int) pages,
                baseFileSize, baseMtimeMillis, identity, clip(baseFormat, MAX_FORMAT), clip(basePath, CRC_AT - PATH_AT));
    }

    long grains() {
        return (virtualSize + grainSize - 1) / grainSize;
    }

    /** Page {@code page}'s copy {@code slot} (0 or 1): the two copies of a page sit side by side. */
    long slotOffset(int page, int slot) {
        return mapOffset + ((long) page * 2 + slot) * GrainMap.PAGE_SIZE;
    }

    long fileEnd() {
        return slotOffset(mapPages, 0);
    }

    String identityHex() {
        return HexFormat.of().formatHex(baseIdentity);
    }

    ByteBuffer encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.put(0, MAGIC);
        b.putInt(8, VERSION);
        b.putInt(12, grainSize);
        b.putLong(16, dataOffset);
        b.putLong(24, virtualSize);
        b.putLong(32, mapOffset);
        b.putInt(40, mapPages);
        b.putLong(48, baseFileSize);
        b.putLong(56, baseMtimeMillis);
        byte[] format = baseFormat.getBytes(StandardCharsets.UTF_8);
        byte[] path = basePath.getBytes(StandardCharsets.UTF_8);
        b.putShort(64, (short) baseIdentity.length);
        b.putShort(66, (short) path.length);
        b.putShort(68, (short) format.length);
        b.put(72, baseIdentity);
        b.put(136, format);
        b.put(PATH_AT, path);
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(CRC_AT));
        b.putInt(CRC_AT, (int) crc.getValue());
        return b;
    }

    /** Decodes and checks a header; every failure names the file and what is wrong. */
    static OverlayHeader decode(Path file, ByteBuffer raw) throws OverlayException {
        ByteBuffer b = raw.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (b.limit() < SIZE) {
            throw new OverlayException(file, file + " is not a lunport overlay (shorter than its header)");
        }
        byte[] magic = new byte[MAGIC.length];
        b.get(0, magic);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new OverlayException(file, file + " is not a lunport overlay (no LUNPOVRL magic)");
        }
        CRC32C crc = new CRC32C();
        crc.update(b.duplicate().position(0).limit(CRC_AT));
        if ((int) crc.getValue() != b.getInt(CRC_AT)) {
            throw new OverlayException(file, file + ": the overlay header is damaged (checksum mismatch)");
        }
        int version = b.getInt(8);
        if (version != VERSION) {
            throw new OverlayException(file, file + ": overlay version " + version + " is not supported (this lunport reads "
                    + VERSION + ")");
        }
        int grainSize = b.getInt(12);
        long dataOffset = b.getLong(16);
        long virtualSize = b.getLong(24);
        long mapOffset = b.getLong(32);
        int mapPages = b.getInt(40);
        int identityLength = b.getShort(64) & 0xFFFF;
        int pathLength = b.getShort(66) & 0xFFFF;
        int formatLength = b.getShort(68) & 0xFFFF;
        if (Integer.bitCount(grainSize) != 1 || grainSize < MIN_GRAIN || grainSize > MAX_GRAIN
                || dataOffset != DATA_OFFSET || virtualSize <= 0 || identityLength > MAX_IDENTITY
                || formatLength > MAX_FORMAT || pathLength > CRC_AT - PATH_AT) {
            throw new OverlayException(file, file + ": the overlay header has impossible values");
        }
        OverlayHeader expected = create(grainSize, virtualSize, 0, 0, new byte[0], "", "");
        if (expected.mapOffset != mapOffset || expected.mapPages != mapPages) {
            throw new OverlayException(file, file + ": the overlay header's map layout does not match its size");
        }
        byte[] identity = new byte[identityLength];
        b.get(72, identity);
        byte[] format = new byte[formatLength];
        b.get(136, format);
        byte[] path = new byte[pathLength];
        b.get(PATH_AT, path);
        return new OverlayHeader(grainSize, dataOffset, virtualSize, mapOffset, mapPages, b.getLong(48), b.getLong(56),
                identity, new String(format, StandardCharsets.UTF_8), new String(path, StandardCharsets.UTF_8));
    }

    private static String clip(String s, int maxBytes) {
        String value = s == null ? "" : s;
        while (value.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            value = value.substring(0, value.length() - 1);
        }
        return value;
    }
}
