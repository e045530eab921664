package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import java.nio.file.Path;

/**
 * One of the two 4 KiB VHDX headers (at 64 KiB and 128 KiB). The valid one with the larger
 * sequence number is current.
 *
 * @param logGuid non-zero while the log holds updates not yet applied to the file
 */
public record VhdxHeader(int checksum, long sequenceNumber, VhdxGuid fileWriteGuid, VhdxGuid dataWriteGuid,
                         VhdxGuid logGuid, int logVersion, int version, long logLength, long logOffset) {

    public static final int LENGTH = 4096;
    public static final long HEADER1_OFFSET = 64 * 1024;
    public static final long HEADER2_OFFSET = 128 * 1024;
    static final long SIGNATURE = 0x64616568L; // "head"

    public static VhdxHeader parse(byte[] b, Path file, long offset) throws ImageFormatException {
        if (Le.u32(b, 0) != SIGNATURE) {
            throw new ImageFormatException(file, offset, "header signature", "is not 'head'");
        }
        if (!VhdxChecksum.matches(b, 0, LENGTH, 4)) {
            throw new ImageFormatException(file, offset + 4, "header checksum", "CRC-32C does not match the header");
        }
        int version = Le.u16(b, 66);
        if (version != 1) {
            throw new ImageFormatException(file, offset + 66, "header version", version + " is not 1");
        }
        return new VhdxHeader((int) Le.u32(b, 4), Le.u64(b, 8), VhdxGuid.parse(b, 16), VhdxGuid.parse(b, 32),
                VhdxGuid.parse(b, 48), Le.u16(b, 64), version, Le.u32(b, 68), Le.u64(b, 72));
    }

    /** The 4 KiB header as stored, its checksum computed (the {@code checksum} component is not used). */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        Le.put32(b, 0, SIGNATURE);
        Le.put64(b, 8, sequenceNumber);
        fileWriteGuid.write(b, 16);
        dataWriteGuid.write(b, 32);
        logGuid.write(b, 48);
        Le.put16(b, 64, logVersion);
        Le.put16(b, 66, version);
        Le.put32(b, 68, logLength);
        Le.put64(b, 72, logOffset);
        VhdxChecksum.stamp(b, 0, LENGTH, 4);
        return b;
    }

    /** The current header of two candidates, either of which may be null (invalid). */
    public static VhdxHeader current(VhdxHeader first, VhdxHeader second) {
        if (first == null) {
            return second;
        }
        if (second == null) {
            return first;
        }
        return Long.compareUnsigned(second.sequenceNumber, first.sequenceNumber) > 0 ? second : first;
    }

    public boolean hasPendingLog() {
        return !logGuid.isZero();
    }
}
