package io.lunport.translation.vhd;

import io.lunport.translation.ImageFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The 512-byte VHD footer (big-endian): at the end of every VHD, and copied to offset 0 of
 * dynamic and differencing disks.
 *
 * @param dataOffset  file offset of the dynamic disk header; all ones for fixed disks
 * @param creatorApp  four bytes naming the tool that made the disk ("qemu", "qem2", "win ", ...)
 * @param currentSize the disk size in bytes as the footer states it
 * @param diskType    {@link #FIXED}, {@link #DYNAMIC} or {@link #DIFFERENCING}
 */
public record VhdFooter(int features, int formatVersion, long dataOffset, int timestamp, byte[] creatorApp,
                        int creatorVersion, int creatorHostOs, long originalSize, long currentSize, int cylinders,
                        int heads, int sectorsPerTrack, int diskType, int checksum, byte[] uniqueId) {

    public static final int LENGTH = 512;
    /** Some old tools wrote the footer one byte short (the last reserved byte missing). */
    public static final int SHORT_LENGTH = 511;
    public static final int FIXED = 2;
    public static final int DYNAMIC = 3;
    public static final int DIFFERENCING = 4;
    static final byte[] COOKIE = "conectix".getBytes(StandardCharsets.US_ASCII);
    private static final int CHECKSUM_OFFSET = 64;
    /** The CHS value of the largest geometry: with it, qemu reads the size from the footer. */
    private static final long MAX_GEOMETRY_SECTORS = 65535L * 16 * 255;

    /** Whether {@code bytes} at {@code offset} start with the footer cookie. */
    static boolean hasCookie(ByteBuffer bytes, int offset) {
        if (offset < 0 || offset + COOKIE.length > bytes.limit()) {
            return false;
        }
        for (int i = 0; i < COOKIE.length; i++) {
            if (bytes.get(offset + i) != COOKIE[i]) {
                return false;
            }
        }
        return true;
    }

    /**
     * Parses and checks a footer.
     *
     * @param raw    511 or 512 bytes starting with the cookie
     * @param offset where {@code raw} was read, for error messages
     */
    public static VhdFooter parse(byte[] raw, Path file, long offset) throws ImageFormatException {
        byte[] bytes = Arrays.copyOf(raw, LENGTH);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        if (!hasCookie(b, 0)) {
            throw new ImageFormatException(file, offset, "footer cookie", "is not 'conectix'");
        }
        int checksum = b.getInt(CHECKSUM_OFFSET);
        int computed = VhdChecksum.compute(bytes, CHECKSUM_OFFSET);
        if (checksum != computed) {
            throw new ImageFormatException(file, offset + CHECKSUM_OFFSET, "footer checksum",
                    String.format("is 0x%08x, the footer sums to 0x%08x", checksum, computed));
        }
        int diskType = b.getInt(60);
        if (diskType != FIXED && diskType != DYNAMIC && diskType != DIFFERENCING) {
            throw new ImageFormatException(file, offset + 60, "footer disk type",
                    diskType + " is none of 2 (fixed), 3 (dynamic), 4 (differencing)");
        }
        long currentSize = b.getLong(48);
        if (currentSize < 0) {
            throw new ImageFormatException(file, offset + 48, "footer current size", Long.toUnsignedString(currentSize) + " is too large");
        }
        return new VhdFooter(b.getInt(8), b.getInt(12), b.getLong(16), b.getInt(24), Arrays.copyOfRange(bytes, 28, 32),
                b.getInt(32), b.getInt(36), b.getLong(40), currentSize, b.getShort(56) & 0xffff, b.get(58) & 0xff,
                b.get(59) & 0xff, diskType, checksum, Arrays.copyOfRange(bytes, 68, 84));
    }

    public String creatorAppText() {
        return new String(creatorApp, StandardCharsets.US_ASCII).replace('\0', ' ').trim();
    }

    public long geometrySectors() {
        return (long) cylinders * heads * sectorsPerTrack;
    }

    /**
     * The virtual size as qemu reports it, since {@code qemu-img convert} is our oracle. Virtual
     * PC and qemu's own legacy writer ("qemu") size a disk by its CHS geometry, which rounds the
     * size down; Hyper-V, Disk2vhd, XenServer, XenConverter and qemu with force_size ("qem2")
     * use the footer's current size; any other creator gets the geometry, except that the
     * largest geometry means "too big for CHS" and the footer's size is used.
     */
    public long virtualSize() {
        String app = new String(creatorApp, StandardCharsets.ISO_8859_1);
        boolean currentSizeCreator = app.equals("win ") || app.equals("qem2") || app.equals("d2v ")
                || app.equals("CTXS") || app.equals("tap\0");
        long geometry = geometrySectors();
        if (currentSizeCreator || geometry == MAX_GEOMETRY_SECTORS) {
            return currentSize / 512 * 512;
        }
        return geometry * 512;
    }
}
