package io.lunport.translation.vhdx.stub;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.vhdx.Le;
import io.lunport.translation.vhdx.VhdxGuid;
import io.lunport.translation.vhdx.synth.VhdxUserItem;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A lunport stub's pointer to its source image, stored as the user metadata item
 * {@link #ID} (IsUser set, never IsRequired: every other VHDX reader skips it).
 *
 * <p>Binary format, little-endian, version 1:
 * <pre>
 *   0   8  signature "lpsource"
 *   8   2  version (1)
 *  10   6  reserved, zero
 *  16   8  the source's virtual size in bytes
 *  24  32  the source's fingerprint ({@link SourceFingerprint}: SHA-256)
 *  56   2  length of the path as given (bytes)
 *  58   2  length of the absolute path
 *  60   2  length of the path relative to the stub's folder (0: none)
 *  62   2  reserved, zero
 *  64      the three paths, UTF-8, without terminators, in that order
 * </pre>
 *
 * @param given       the source path as the user typed it
 * @param absolute    the source's absolute, normalized path when the stub was made
 * @param relative    the source's path relative to the stub's folder, or "" when there is none
 * @param fingerprint see {@link SourceFingerprint}
 */
public record StubPointer(String given, String absolute, String relative, long virtualSize, byte[] fingerprint) {

    /** lunport's own metadata item GUID. */
    public static final VhdxGuid ID = VhdxGuid.of("7CA2D53E-8934-4A2B-A892-10E1100A7BED");
    static final byte[] SIGNATURE = "lpsource".getBytes(StandardCharsets.US_ASCII);
    static final int VERSION = 1;
    static final int HEADER = 64;
    private static final int MAX_PATH = 0xffff;

    public StubPointer {
        fingerprint = fingerprint.clone();
        if (fingerprint.length != SourceFingerprint.LENGTH) {
            throw new IllegalArgumentException("a fingerprint is " + SourceFingerprint.LENGTH + " bytes");
        }
    }

    @Override
    public byte[] fingerprint() {
        return fingerprint.clone();
    }

    public String fingerprintHex() {
        return HexFormat.of().formatHex(fingerprint);
    }

    /** The pointer a stub at {@code stub} records for the source {@code given}. */
    public static StubPointer of(Path given, Path stub, long virtualSize, byte[] fingerprint) {
        Path absolute = given.toAbsolutePath().normalize();
        Path folder = stub.toAbsolutePath().normalize().getParent();
        String relative = folder == null ? "" : folder.relativize(absolute).toString();
        return new StubPointer(given.toString(), absolute.toString(), relative, virtualSize, fingerprint);
    }

    public byte[] encode() {
        byte[] g = utf8(given);
        byte[] a = utf8(absolute);
        byte[] r = utf8(relative);
        byte[] b = new byte[HEADER + g.length + a.length + r.length];
        System.arraycopy(SIGNATURE, 0, b, 0, SIGNATURE.length);
        Le.put16(b, 8, VERSION);
        Le.put64(b, 16, virtualSize);
        System.arraycopy(fingerprint, 0, b, 24, fingerprint.length);
        Le.put16(b, 56, g.length);
        Le.put16(b, 58, a.length);
        Le.put16(b, 60, r.length);
        System.arraycopy(g, 0, b, HEADER, g.length);
        System.arraycopy(a, 0, b, HEADER + g.length, a.length);
        System.arraycopy(r, 0, b, HEADER + g.length + a.length, r.length);
        return b;
    }

    public VhdxUserItem toUserItem() {
        return new VhdxUserItem(ID, encode());
    }

    /** Parses the item read from {@code stub} at {@code offset}, checking every length against the item. */
    public static StubPointer parse(byte[] b, Path stub, long offset) throws ImageFormatException {
        if (b.length < HEADER) {
            throw new ImageFormatException(stub, offset, "source pointer length", b.length + " bytes is shorter than its "
                    + HEADER + "-byte header");
        }
        if (!Arrays.equals(b, 0, SIGNATURE.length, SIGNATURE, 0, SIGNATURE.length)) {
            throw new ImageFormatException(stub, offset, "source pointer signature", "is not 'lpsource'");
        }
        int version = Le.u16(b, 8);
        if (version != VERSION) {
            throw new ImageFormatException(stub, offset + 8, "source pointer version", version + " is not " + VERSION);
        }
        long size = Le.u64(b, 16);
        if (size < 0) {
            throw new ImageFormatException(stub, offset + 16, "source pointer virtual size", Long.toUnsignedString(size)
                    + " is not a disk size");
        }
        int g = Le.u16(b, 56);
        int a = Le.u16(b, 58);
        int r = Le.u16(b, 60);
        if ((long) HEADER + g + a + r > b.length) {
            throw new ImageFormatException(stub, offset + 56, "source pointer path lengths", g + " + " + a + " + " + r
                    + " bytes do not fit the " + b.length + "-byte item");
        }
        if (a == 0) {
            throw new ImageFormatException(stub, offset + 58, "source pointer absolute path", "is empty");
        }
        String given = new String(b, HEADER, g, StandardCharsets.UTF_8);
        String absolute = new String(b, HEADER + g, a, StandardCharsets.UTF_8);
        String relative = new String(b, HEADER + g + a, r, StandardCharsets.UTF_8);
        return new StubPointer(given, absolute, relative, size, Arrays.copyOfRange(b, 24, 24 + SourceFingerprint.LENGTH));
    }

    private static byte[] utf8(String path) {
        byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_PATH) {
            throw new IllegalArgumentException("path of " + bytes.length + " bytes is too long for a stub: " + path);
        }
        return bytes;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StubPointer p && given.equals(p.given) && absolute.equals(p.absolute)
                && relative.equals(p.relative) && virtualSize == p.virtualSize && Arrays.equals(fingerprint, p.fingerprint);
    }

    @Override
    public int hashCode() {
        return absolute.hashCode() * 31 + Arrays.hashCode(fingerprint);
    }

    @Override
    public String toString() {
        return "StubPointer[" + given + ", " + absolute + ", " + relative + ", " + virtualSize + ", " + fingerprintHex() + "]";
    }
}
