package io.lunport.translation.vhdx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Edits a qemu-made VHDX in memory so tests can reach what qemu cannot make: 4096-byte
 * logical sectors, differencing disks with partially present blocks, pending logs. Knows
 * qemu's layout only through the structures themselves (region table, metadata table).
 */
final class VhdxPatch {

    final byte[] bytes;
    final ByteBuffer le;

    VhdxPatch(byte[] bytes) {
        this.bytes = bytes;
        this.le = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    }

    long region(VhdxGuid guid) {
        VhdxRegionTable table = parseRegions();
        return table.find(guid).orElseThrow().fileOffset();
    }

    private VhdxRegionTable parseRegions() {
        try {
            return VhdxRegionTable.parse(java.util.Arrays.copyOfRange(bytes, 192 * 1024, 256 * 1024), null, 0);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** File offset of a system metadata item. */
    long item(VhdxGuid id) {
        long meta = region(VhdxRegionTable.METADATA);
        int count = le.getShort((int) meta + 10);
        for (int i = 0; i < count; i++) {
            int at = (int) meta + 32 + i * 32;
            if (VhdxGuid.parse(bytes, at).equals(id)) {
                return meta + (le.getInt(at + 16) & 0xffffffffL);
            }
        }
        throw new IllegalStateException("no item " + id);
    }

    /** Adds a system item stored at {@code regionOffset} of the metadata region. */
    void addItem(VhdxGuid id, int regionOffset, byte[] content, int flags) {
        int meta = (int) region(VhdxRegionTable.METADATA);
        int count = le.getShort(meta + 10);
        int at = meta + 32 + count * 32;
        putGuid(at, id);
        le.putInt(at + 16, regionOffset).putInt(at + 20, content.length).putInt(at + 24, flags);
        le.putShort(meta + 10, (short) (count + 1));
        System.arraycopy(content, 0, bytes, meta + regionOffset, content.length);
    }

    void putGuid(int at, VhdxGuid guid) {
        long msb = guid.uuid().getMostSignificantBits();
        le.putInt(at, (int) (msb >>> 32)).putShort(at + 4, (short) (msb >>> 16)).putShort(at + 6, (short) msb);
        ByteBuffer.wrap(bytes).putLong(at + 8, guid.uuid().getLeastSignificantBits());
    }

    long batEntry(long index) {
        return le.getLong((int) (region(VhdxRegionTable.BAT) + index * 8));
    }

    void setBatEntry(long index, long value) {
        le.putLong((int) (region(VhdxRegionTable.BAT) + index * 8), value);
    }

    /** Recomputes the CRC-32C of both headers after an edit. */
    void resealHeaders() {
        for (int at : new int[] {64 * 1024, 128 * 1024}) {
            le.putInt(at + 4, VhdxChecksum.compute(bytes, at, 4096, at + 4));
        }
    }

    /** A parent locator item: VHDX type, UTF-16LE keys and values. */
    static byte[] parentLocator(String... keyValues) {
        int n = keyValues.length / 2;
        ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        VhdxPatch scratch = new VhdxPatch(b.array());
        scratch.putGuid(0, VhdxParentLocator.VHDX_TYPE);
        b.putShort(18, (short) n);
        int data = 20 + 12 * n;
        for (int i = 0; i < n; i++) {
            byte[] k = keyValues[2 * i].getBytes(StandardCharsets.UTF_16LE);
            byte[] v = keyValues[2 * i + 1].getBytes(StandardCharsets.UTF_16LE);
            int at = 20 + 12 * i;
            b.putInt(at, data).putInt(at + 4, data + k.length).putShort(at + 8, (short) k.length).putShort(at + 10, (short) v.length);
            b.put(data, k).put(data + k.length, v);
            data += k.length + v.length;
        }
        return java.util.Arrays.copyOf(b.array(), data);
    }
}
