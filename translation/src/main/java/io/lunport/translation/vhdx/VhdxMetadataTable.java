package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The 64 KiB table at the start of the metadata region: which items the region holds, and where. */
public record VhdxMetadataTable(List<Item> items) {

    public static final int LENGTH = 64 * 1024;
    static final byte[] SIGNATURE = "metadata".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    static final int MAX_ENTRIES = 2047;
    /** An item longer than this is invalid. */
    public static final int MAX_ITEM_LENGTH = 1024 * 1024;

    /**
     * One metadata item.
     *
     * @param offset bytes from the start of the metadata region (at least 64 KiB unless the item is empty)
     */
    public record Item(VhdxGuid id, long offset, long length, boolean isUser, boolean isVirtualDisk, boolean isRequired) {
    }

    public static VhdxMetadataTable parse(byte[] b, Path file, long offset) throws ImageFormatException {
        if (!java.util.Arrays.equals(b, 0, 8, SIGNATURE, 0, 8)) {
            throw new ImageFormatException(file, offset, "metadata table signature", "is not 'metadata'");
        }
        int count = Le.u16(b, 10);
        if (count > MAX_ENTRIES) {
            throw new ImageFormatException(file, offset + 10, "metadata table entry count", count + " is more than " + MAX_ENTRIES);
        }
        List<Item> items = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = 32 + i * 32;
            long flags = Le.u32(b, at + 24);
            items.add(new Item(VhdxGuid.parse(b, at), Le.u32(b, at + 16), Le.u32(b, at + 20),
                    (flags & 1) != 0, (flags & 2) != 0, (flags & 4) != 0));
        }
        return new VhdxMetadataTable(List.copyOf(items));
    }

    /** The 64 KiB table as stored. */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        System.arraycopy(SIGNATURE, 0, b, 0, SIGNATURE.length);
        Le.put16(b, 10, items.size());
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            int at = 32 + i * 32;
            item.id().write(b, at);
            Le.put32(b, at + 16, item.offset());
            Le.put32(b, at + 20, item.length());
            Le.put32(b, at + 24, (item.isUser() ? 1 : 0) | (item.isVirtualDisk() ? 2 : 0) | (item.isRequired() ? 4 : 0));
        }
        return b;
    }

    /** The user item with this id. */
    public Optional<Item> user(VhdxGuid id) {
        return items.stream().filter(i -> i.isUser() && i.id().equals(id)).findFirst();
    }

    /** The system (non-user) item with this id. */
    public Optional<Item> system(VhdxGuid id) {
        return items.stream().filter(i -> !i.isUser() && i.id().equals(id)).findFirst();
    }
}
