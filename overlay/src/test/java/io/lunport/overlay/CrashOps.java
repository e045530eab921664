package io.lunport.overlay;

import java.nio.ByteBuffer;
import java.util.Random;

/**
 * The deterministic workload of the crash test: the child replays it and the parent
 * regenerates it from the same seed. Every 512-byte block a write stores is recognizable:
 * its first long is the op id, its second the block number.
 */
final class CrashOps {

    static final int BLOCKS = 16384; // 8 MiB
    static final long ZERO = -1;
    static final int FLUSH_EVERY = 8;

    record Op(long id, boolean deallocate, boolean fua, int firstBlock, int blocks) {
    }

    private final Random random;
    private long next;

    CrashOps(long seed, long firstId) {
        this.random = new Random(seed);
        this.next = firstId;
    }

    Op next() {
        int blocks = 1 + random.nextInt(random.nextBoolean() ? 8 : 64);
        int first = random.nextInt(BLOCKS - blocks + 1);
        int kind = random.nextInt(20);
        return new Op(next++, kind < 2, kind >= 2 && kind < 7, first, blocks);
    }

    /** Block {@code block} as op {@code id} writes it (id 0: the image). */
    static byte[] block(long id, int block) {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.putLong(id).putLong(block);
        for (int i = 2; i < 64; i++) {
            b.putLong(id * 0x9E3779B97F4A7C15L + block * 31L + i);
        }
        return b.array();
    }

    static ByteBuffer data(Op op) {
        ByteBuffer data = ByteBuffer.allocate(op.blocks() * 512);
        for (int i = 0; i < op.blocks(); i++) {
            data.put(block(op.id(), op.firstBlock() + i));
        }
        return data.flip();
    }

    /** Which op wrote the block (0: image, ZERO: zeros), or null when it is neither: corrupt. */
    static Long decode(byte[] content, int offset, int block) {
        boolean zero = true;
        for (int i = 0; i < 512 && zero; i++) {
            zero = content[offset + i] == 0;
        }
        if (zero) {
            return ZERO;
        }
        long id = ByteBuffer.wrap(content, offset, 8).getLong();
        byte[] expected = block(id, block);
        for (int i = 0; i < 512; i++) {
            if (content[offset + i] != expected[i]) {
                return null;
            }
        }
        return id;
    }
}
