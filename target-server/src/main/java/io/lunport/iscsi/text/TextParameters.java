package io.lunport.iscsi.text;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The key=value pairs of login and text PDUs (RFC 7143 section 6): UTF-8, each pair ended
 * by a NUL. Order is kept, because answers go back in the order keys were offered.
 */
public final class TextParameters {

    /** RFC 7143 6.1: a key name is at most 63 bytes. */
    public static final int MAX_KEY_LENGTH = 63;

    private TextParameters() {
    }

    /**
     * Parses {@code bytes}. A pair without '=' or with an over-long key, and a key given
     * twice, are protocol errors.
     */
    public static Map<String, String> parse(byte[] bytes) throws TextFormatException {
        Map<String, String> pairs = new LinkedHashMap<>();
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != 0) {
                end++;
            }
            if (end > start) {
                // Find '=' in the bytes, not in the decoded text: the key limit is in bytes.
                int eq = start;
                while (eq < end && bytes[eq] != '=') {
                    eq++;
                }
                if (eq == start || eq == end) {
                    throw new TextFormatException("not a key=value pair: "
                            + abbreviate(new String(bytes, start, end - start, StandardCharsets.UTF_8)));
                }
                String key = new String(bytes, start, eq - start, StandardCharsets.UTF_8);
                if (eq - start > MAX_KEY_LENGTH) {
                    throw new TextFormatException("key longer than 63 bytes: " + abbreviate(key));
                }
                if (pairs.put(key, new String(bytes, eq + 1, end - eq - 1, StandardCharsets.UTF_8)) != null) {
                    throw new TextFormatException("key offered twice: " + key);
                }
            }
            start = end + 1;
        }
        return pairs;
    }

    public static byte[] encode(Map<String, String> pairs) {
        StringBuilder text = new StringBuilder();
        pairs.forEach((k, v) -> text.append(k).append('=').append(v).append('\0'));
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static ByteBuf encode(Map<String, String> pairs, ByteBufAllocator alloc) {
        byte[] bytes = encode(pairs);
        return alloc.buffer(bytes.length).writeBytes(bytes);
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 80) + "...";
    }
}
