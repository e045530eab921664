package io.lunport.translation.vhdx;

import java.util.zip.CRC32C;

/** CRC-32C (Castagnoli) of a VHDX structure, computed with its 4-byte checksum field taken as zero. */
public final class VhdxChecksum {

    private static final byte[] ZERO_FIELD = new byte[4];

    private VhdxChecksum() {
    }

    public static int compute(byte[] bytes, int offset, int length, int checksumOffset) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, checksumOffset - offset);
        crc.update(ZERO_FIELD);
        crc.update(bytes, checksumOffset + 4, offset + length - checksumOffset - 4);
        return (int) crc.getValue();
    }

    /** Computes the checksum of the structure and stores it in its checksum field. */
    public static void stamp(byte[] bytes, int offset, int length, int checksumOffset) {
        Le.put32(bytes, checksumOffset, compute(bytes, offset, length, checksumOffset) & 0xffffffffL);
    }

    public static boolean matches(byte[] bytes, int offset, int length, int checksumOffset) {
        return (int) Le.u32(bytes, checksumOffset) == compute(bytes, offset, length, checksumOffset);
    }
}
