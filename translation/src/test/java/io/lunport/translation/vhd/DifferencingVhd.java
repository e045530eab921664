package io.lunport.translation.vhd;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes a differencing VHD from the specification, since qemu cannot make one: footer copy,
 * dynamic header with a W2ru locator and the parent's name, BAT, and blocks whose sector
 * bitmaps mark only the sectors written here. Used by the tests only.
 */
final class DifferencingVhd {

    static final int BLOCK = 2 * 1024 * 1024;
    private static final int BITMAP = 512;

    private final long size;
    private final byte[] parentUniqueId;
    private final String parentName;
    private final int entries;
    private final byte[][] blocks;
    private final byte[][] bitmaps;

    DifferencingVhd(long size, byte[] parentUniqueId, String parentName) {
        this.size = size;
        this.parentUniqueId = parentUniqueId;
        this.parentName = parentName;
        this.entries = (int) ((size + BLOCK - 1) / BLOCK);
        this.blocks = new byte[entries][];
        this.bitmaps = new byte[entries][];
    }

    /** Stores {@code data} at the 512-aligned virtual {@code offset} (within one block). */
    DifferencingVhd write(long offset, byte[] data) {
        int block = (int) (offset / BLOCK);
        if (blocks[block] == null) {
            blocks[block] = new byte[BLOCK];
            bitmaps[block] = new byte[BITMAP];
        }
        int in = (int) (offset % BLOCK);
        System.arraycopy(data, 0, blocks[block], in, data.length);
        for (int s = in / 512; s < (in + data.length + 511) / 512; s++) {
            bitmaps[block][s / 8] |= (byte) (0x80 >>> (s % 8));
        }
        return this;
    }

    /** Applies what this child stores onto a copy of the parent's bytes, as a reader must see it. */
    byte[] expected(byte[] parent) {
        byte[] out = Arrays.copyOf(parent, (int) size);
        for (int b = 0; b < entries; b++) {
            if (blocks[b] == null) {
                continue;
            }
            for (int s = 0; s < BLOCK / 512 && (long) b * BLOCK + s * 512L < size; s++) {
                if ((bitmaps[b][s / 8] & (0x80 >>> (s % 8))) != 0) {
                    System.arraycopy(blocks[b], s * 512, out, b * BLOCK + s * 512, 512);
                }
            }
        }
        return out;
    }

    void writeTo(Path file) throws IOException {
        byte[] footer = footer();
        byte[] locator = (".\\" + parentName).getBytes(StandardCharsets.UTF_16LE);
        long batOffset = 1536;
        long locatorOffset = batOffset + ((entries * 4L + 511) & ~511L);
        long next = locatorOffset + 512;
        ByteBuffer bat = ByteBuffer.allocate(entries * 4);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(0);
            for (int b = 0; b < entries; b++) {
                if (blocks[b] == null) {
                    bat.putInt(-1);
                    continue;
                }
                bat.putInt((int) (next / 512));
                raf.seek(next);
                raf.write(bitmaps[b]);
                raf.write(blocks[b]);
                next += BITMAP + BLOCK;
            }
            raf.seek(0);
            raf.write(footer);
            raf.write(header(batOffset, locatorOffset, locator.length));
            raf.seek(batOffset);
            raf.write(bat.array());
            raf.seek(locatorOffset);
            raf.write(locator);
            raf.seek(next);
            raf.write(footer);
        }
    }

    private byte[] footer() {
        ByteBuffer b = ByteBuffer.allocate(512);
        b.put("conectix".getBytes(StandardCharsets.US_ASCII));
        b.putInt(8, 2).putInt(12, 0x00010000).putLong(16, 512).put(28, "win ".getBytes(StandardCharsets.US_ASCII));
        b.putLong(40, size).putLong(48, size);
        b.putShort(56, (short) 65535).put(58, (byte) 16).put(59, (byte) 255);
        b.putInt(60, VhdFooter.DIFFERENCING);
        b.put(68, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16});
        b.putInt(64, VhdChecksum.compute(b.array(), 64));
        return b.array();
    }

    private byte[] header(long batOffset, long locatorOffset, int locatorLength) {
        ByteBuffer b = ByteBuffer.allocate(1024);
        b.put("cxsparse".getBytes(StandardCharsets.US_ASCII));
        b.putLong(8, -1L).putLong(16, batOffset).putInt(24, 0x00010000).putInt(28, entries).putInt(32, BLOCK);
        b.put(40, parentUniqueId);
        byte[] name = parentName.getBytes(StandardCharsets.UTF_16BE);
        b.put(64, name);
        b.put(576, "W2ru".getBytes(StandardCharsets.US_ASCII)).putInt(580, 512).putInt(584, locatorLength)
                .putLong(592, locatorOffset);
        b.putInt(36, VhdChecksum.compute(b.array(), 36));
        return b.array();
    }
}
