package io.lunport.translation.vhd;

import java.nio.ByteBuffer;

/**
 * One of the eight parent locator entries of a differencing disk's header: where in the file
 * a platform-specific spelling of the parent's path is stored.
 *
 * @param platformCode "W2ru" (relative Windows path, UTF-16LE), "W2ku" (absolute, UTF-16LE),
 *                     "MacX" (file URL, UTF-8), "Wi2r"/"Wi2k" (deprecated), "Mac " (alias); "" when unused
 * @param dataSpace    bytes reserved for the path (sectors in old writers, bytes in new ones)
 * @param dataLength   bytes of the path actually stored
 * @param dataOffset   file offset of the path
 */
public record VhdParentLocator(String platformCode, int dataSpace, int dataLength, long dataOffset) {

    public static final int LENGTH = 24;

    static VhdParentLocator parse(ByteBuffer b, int at) {
        int code = b.getInt(at);
        StringBuilder text = new StringBuilder();
        for (int shift = 24; shift >= 0 && code != 0; shift -= 8) {
            text.append((char) ((code >>> shift) & 0xff));
        }
        return new VhdParentLocator(text.toString(), b.getInt(at + 4), b.getInt(at + 8), b.getLong(at + 16));
    }

    public boolean isUsed() {
        return !platformCode.isEmpty() && dataLength > 0;
    }
}
