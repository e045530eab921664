package io.lunport.translation.vhdx;

import java.util.UUID;

/**
 * A GUID as VHDX stores it: Microsoft byte order (the first three groups little-endian, the
 * last eight bytes as written).
 */
public record VhdxGuid(UUID uuid) {

    public static final VhdxGuid ZERO = new VhdxGuid(new UUID(0, 0));
    public static final int LENGTH = 16;

    public static VhdxGuid of(String text) {
        return new VhdxGuid(UUID.fromString(text));
    }

    public static VhdxGuid parse(byte[] b, int at) {
        long data1 = Le.u32(b, at);
        long data2 = Le.u16(b, at + 4);
        long data3 = Le.u16(b, at + 6);
        long low = 0;
        for (int i = 0; i < 8; i++) {
            low = (low << 8) | (b[at + 8 + i] & 0xff);
        }
        return new VhdxGuid(new UUID(data1 << 32 | data2 << 16 | data3, low));
    }

    /** Stores this GUID at {@code at} in the order {@link #parse} reads. */
    public void write(byte[] b, int at) {
        long high = uuid.getMostSignificantBits();
        Le.put32(b, at, high >>> 32);
        Le.put16(b, at + 4, (int) (high >>> 16));
        Le.put16(b, at + 6, (int) high);
        long low = uuid.getLeastSignificantBits();
        for (int i = 0; i < 8; i++) {
            b[at + 8 + i] = (byte) (low >>> (56 - 8 * i));
        }
    }

    public boolean isZero() {
        return equals(ZERO);
    }

    /** The form a parent locator's {@code parent_linkage} uses: lowercase, in braces. */
    public String braced() {
        return "{" + uuid + "}";
    }

    @Override
    public String toString() {
        return uuid.toString();
    }
}
