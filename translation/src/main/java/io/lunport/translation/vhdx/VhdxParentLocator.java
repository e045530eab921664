package io.lunport.translation.vhdx;

import io.lunport.translation.ImageFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Parent Locator metadata item of a differencing VHDX: a locator type and key/value
 * pairs (UTF-16LE, no terminators) such as {@code parent_linkage}, {@code relative_path},
 * {@code volume_path} and {@code absolute_win32_path}.
 */
public record VhdxParentLocator(VhdxGuid type, Map<String, String> entries) {

    public static final VhdxGuid ID = VhdxGuid.of("A8D35F2D-B30B-454D-ABF7-D3D84834AB0C");
    public static final VhdxGuid VHDX_TYPE = VhdxGuid.of("B04AEFB7-D19E-4A81-B789-25B8E9445913");
    private static final int HEADER = 20;
    private static final int ENTRY = 12;

    public static VhdxParentLocator parse(byte[] b, Path file, long offset) throws ImageFormatException {
        if (b.length < HEADER) {
            throw new ImageFormatException(file, offset, "parent locator", "is " + b.length + " bytes, shorter than its header");
        }
        VhdxGuid type = VhdxGuid.parse(b, 0);
        int count = Le.u16(b, 18);
        if (HEADER + (long) count * ENTRY > b.length) {
            throw new ImageFormatException(file, offset + 18, "parent locator key value count",
                    count + " entries do not fit in " + b.length + " bytes");
        }
        Map<String, String> entries = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            int at = HEADER + i * ENTRY;
            String key = string(b, Le.u32(b, at), Le.u16(b, at + 8), file, offset + at, "key");
            String value = string(b, Le.u32(b, at + 4), Le.u16(b, at + 10), file, offset + at + 4, "value");
            entries.put(key, value);
        }
        return new VhdxParentLocator(type, java.util.Collections.unmodifiableMap(entries));
    }

    private static String string(byte[] b, long at, int length, Path file, long fieldOffset, String what)
            throws ImageFormatException {
        if (at < 0 || at + length > b.length) {
            throw new ImageFormatException(file, fieldOffset, "parent locator " + what + " offset",
                    length + " bytes at " + at + " lie outside the " + b.length + "-byte item");
        }
        return new String(b, (int) at, length, StandardCharsets.UTF_16LE);
    }

    /** The paths to try, in the order Hyper-V tries them: relative to the child first. */
    public List<String> pathCandidates() {
        return java.util.stream.Stream.of("relative_path", "volume_path", "absolute_win32_path")
                .map(entries::get).filter(p -> p != null && !p.isBlank()).toList();
    }
}
