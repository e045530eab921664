package io.lunport.scsi.command;

import java.nio.ByteBuffer;

/**
 * Big-endian field access on a CDB or parameter list by absolute index, so that decoding never
 * moves the buffer's position and allocates nothing.
 */
public final class Cdb {

    private Cdb() {
    }

    public static int opcode(ByteBuffer cdb) {
        return cdb.get(0) & 0xFF;
    }

    /** Bits 4..0 of byte 1, where every CDB with a service action keeps it. */
    public static int serviceAction(ByteBuffer cdb) {
        return cdb.limit() > 1 ? cdb.get(1) & 0x1F : -1;
    }

    public static int u8(ByteBuffer b, int index) {
        return b.get(index) & 0xFF;
    }

    public static int u16(ByteBuffer b, int index) {
        return b.getShort(index) & 0xFFFF;
    }

    public static int u24(ByteBuffer b, int index) {
        return (u8(b, index) << 16) | u16(b, index + 1);
    }

    public static long u32(ByteBuffer b, int index) {
        return b.getInt(index) & 0xFFFF_FFFFL;
    }

    /** Unsigned 64 bits in a long: compare with {@link Long#compareUnsigned}. */
    public static long u64(ByteBuffer b, int index) {
        return b.getLong(index);
    }

    /** Reads an unsigned big-endian field of 1 to 8 bytes. */
    public static long field(ByteBuffer b, int index, int length) {
        long value = 0;
        for (int i = 0; i < length; i++) {
            value = (value << 8) | (b.get(index + i) & 0xFF);
        }
        return value;
    }

    public static boolean bit(ByteBuffer b, int index, int bit) {
        return (b.get(index) & (1 << bit)) != 0;
    }
}
