package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The 64 KiB region table (at 192 KiB, copy at 256 KiB): where the BAT and metadata regions lie. */
public record VhdxRegionTable(int checksum, List<Entry> entries) {

    public static final int LENGTH = 64 * 1024;
    public static final long TABLE1_OFFSET = 192 * 1024;
    public static final long TABLE2_OFFSET = 256 * 1024;
    public static final VhdxGuid BAT = VhdxGuid.of("2DC27766-F623-4200-9D64-115E9BFD4A08");
    public static final VhdxGuid METADATA = VhdxGuid.of("8B7CA206-4790-4B9A-B8FE-575F050F886E");
    static final long SIGNATURE = 0x69676572L; // "regi"
    static final int MAX_ENTRIES = 2047;

    /** One region: its identity and where it lies; {@code required} regions must be understood. */
    public record Entry(VhdxGuid guid, long fileOffset, long length, boolean required) {
    }

    public static VhdxRegionTable parse(byte[] b, Path file, long offset) throws ImageFormatException {
        if (Le.u32(b, 0) != SIGNATURE) {
            throw new ImageFormatException(file, offset, "region table signature", "is not 'regi'");
        }
        if (!VhdxChecksum.matches(b, 0, LENGTH, 4)) {
            throw new ImageFormatException(file, offset + 4, "region table checksum", "CRC-32C does not match the table");
        }
        long count = Le.u32(b, 8);
        if (count > MAX_ENTRIES) {
            throw new ImageFormatException(file, offset + 8, "region table entry count", count + " is more than " + MAX_ENTRIES);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int at = 16 + i * 32;
            entries.add(new Entry(VhdxGuid.parse(b, at), Le.u64(b, at + 16), Le.u32(b, at + 24), (Le.u32(b, at + 28) & 1) != 0));
        }
        return new VhdxRegionTable((int) Le.u32(b, 4), List.copyOf(entries));
    }

    /** The 64 KiB table as stored, its checksum computed (the {@code checksum} component is not used). */
    public byte[] encode() {
        byte[] b = new byte[LENGTH];
        Le.put32(b, 0, SIGNATURE);
        Le.put32(b, 8, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            int at = 16 + i * 32;
            e.guid().write(b, at);
            Le.put64(b, at + 16, e.fileOffset());
            Le.put32(b, at + 24, e.length());
            Le.put32(b, at + 28, e.required() ? 1 : 0);
        }
        VhdxChecksum.stamp(b, 0, LENGTH, 4);
        return b;
    }

    public Optional<Entry> find(VhdxGuid guid) {
        return entries.stream().filter(e -> e.guid().equals(guid)).findFirst();
    }
}
