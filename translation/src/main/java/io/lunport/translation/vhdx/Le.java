package io.lunport.translation.vhdx;

/** Little-endian field access on byte arrays: every VHDX integer is little-endian. */
public final class Le {

    private Le() {
    }

    public static int u16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }

    public static long u32(byte[] b, int at) {
        return (b[at] & 0xffL) | (b[at + 1] & 0xffL) << 8 | (b[at + 2] & 0xffL) << 16 | (b[at + 3] & 0xffL) << 24;
    }

    public static long u64(byte[] b, int at) {
        return u32(b, at) | u32(b, at + 4) << 32;
    }

    public static void put16(byte[] b, int at, int value) {
        b[at] = (byte) value;
        b[at + 1] = (byte) (value >>> 8);
    }

    public static void put32(byte[] b, int at, long value) {
        put16(b, at, (int) value);
        put16(b, at + 2, (int) (value >>> 16));
    }

    public static void put64(byte[] b, int at, long value) {
        put32(b, at, value);
        put32(b, at + 4, value >>> 32);
    }
}
