package io.lunport.translation.vmdk;

import io.lunport.translation.ImageFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text descriptor of a VMDK disk: a separate small file ("# Disk DescriptorFile"), or
 * embedded in a monolithic sparse file. Only what reading needs is kept: the createType,
 * the content IDs, the parent hint of a delta disk and the extent lines, in order.
 *
 * @param parentCid          "ffffffff" when the disk has no parent
 * @param parentFileNameHint the parent's file name (relative to this file) or null
 */
record Descriptor(String createType, String cid, String parentCid, String parentFileNameHint, List<ExtentLine> extents) {

    static final String SIGNATURE = "# Disk DescriptorFile";
    /** qemu reads no more than this of a descriptor; nothing real comes close. */
    static final int MAX_LENGTH = 1024 * 1024;

    /** Extent types that reading supports. */
    enum ExtentType { FLAT, VMFS, SPARSE, ZERO }

    /**
     * One extent line: {@code ACCESS SECTORS TYPE ["FILE" [OFFSET]]}.
     *
     * @param sectors    length of the extent in 512-byte sectors
     * @param file       the extent file as written (null for ZERO)
     * @param offset     for FLAT: where the extent starts in its file, in sectors
     * @param lineAt     file offset of the line, for errors
     */
    record ExtentLine(String access, long sectors, ExtentType type, String file, long offset, long lineAt) {
    }

    // ACCESS SECTORS TYPE, then optionally "FILE" and a sector offset.
    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+([A-Za-z]+)(?:\\s+\"([^\"]*)\"(?:\\s+(\\d+))?)?\\s*");
    private static final Pattern KEY_VALUE = Pattern.compile("([A-Za-z][A-Za-z0-9_.]*)\\s*=\\s*\"?([^\"]*)\"?\\s*");

    /** Whether {@code text} (the start of a file) is a descriptor file. */
    static boolean isDescriptorText(byte[] start) {
        String text = new String(start, 0, Math.min(start.length, 256), StandardCharsets.ISO_8859_1).stripLeading();
        return text.startsWith(SIGNATURE);
    }

    /**
     * Parses descriptor bytes (up to the first NUL: embedded descriptors are zero-padded).
     *
     * @param at file offset of {@code bytes[0]}, for errors
     */
    static Descriptor parse(Path file, byte[] bytes, long at) throws ImageFormatException {
        int length = 0;
        while (length < bytes.length && bytes[length] != 0) {
            length++;
        }
        String text = new String(bytes, 0, length, StandardCharsets.UTF_8);
        String createType = null;
        String cid = null;
        String parentCid = "ffffffff";
        String parentHint = null;
        List<ExtentLine> extents = new ArrayList<>();
        long lineAt = at;
        for (String raw : text.split("\n", -1)) {
            long thisLine = lineAt;
            lineAt += raw.getBytes(StandardCharsets.UTF_8).length + 1;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            Matcher extent = EXTENT.matcher(line);
            if (extent.matches()) {
                extents.add(extentLine(file, extent, thisLine, line));
                continue;
            }
            Matcher kv = KEY_VALUE.matcher(line);
            if (!kv.matches()) {
                continue; // ddb lines with odd quoting and the like: nothing reading needs
            }
            String value = kv.group(2).strip();
            switch (kv.group(1).toLowerCase(Locale.ROOT)) {
                case "createtype" -> createType = value;
                case "cid" -> cid = value;
                case "parentcid" -> parentCid = value.toLowerCase(Locale.ROOT);
                case "parentfilenamehint" -> parentHint = value.isEmpty() ? null : value;
                default -> {
                }
            }
        }
        if (createType == null) {
            throw new ImageFormatException(file, at, "createType", "the descriptor has no createType");
        }
        return new Descriptor(createType, cid, parentCid, parentHint, List.copyOf(extents));
    }

    private static ExtentLine extentLine(Path file, Matcher m, long at, String line) throws ImageFormatException {
        String typeName = m.group(3).toUpperCase(Locale.ROOT);
        ExtentType type;
        try {
            type = ExtentType.valueOf(typeName);
        } catch (IllegalArgumentException e) {
            throw new ImageFormatException(file, at, "extent type", "'" + m.group(3) + "' in '" + line
                    + "' is not supported (FLAT, VMFS, SPARSE and ZERO are)");
        }
        if (m.group(1).equals("NOACCESS")) {
            throw new ImageFormatException(file, at, "extent access", "NOACCESS extents are not supported: '" + line + "'");
        }
        long sectors;
        try {
            sectors = Long.parseLong(m.group(2));
        } catch (NumberFormatException e) {
            sectors = -1;
        }
        if (sectors <= 0 || sectors > SparseHeader.MAX_CAPACITY_SECTORS) {
            throw new ImageFormatException(file, at, "extent size", "'" + m.group(2) + "' sectors in '" + line
                    + "' is not between 1 and " + SparseHeader.MAX_CAPACITY_SECTORS);
        }
        String name = m.group(4);
        String offsetText = m.group(5);
        boolean wantsFile = type != ExtentType.ZERO;
        boolean wantsOffset = type == ExtentType.FLAT;
        if (wantsFile != (name != null) || (offsetText != null && !wantsOffset) || (wantsOffset && offsetText == null)) {
            throw new ImageFormatException(file, at, "extent line", "'" + line + "' is not "
                    + (type == ExtentType.FLAT ? "ACCESS SECTORS FLAT \"FILE\" OFFSET"
                    : type == ExtentType.ZERO ? "ACCESS SECTORS ZERO" : "ACCESS SECTORS " + type + " \"FILE\""));
        }
        long offset = 0;
        if (offsetText != null) {
            try {
                offset = Long.parseLong(offsetText);
            } catch (NumberFormatException e) {
                offset = -1;
            }
            if (offset < 0 || offset > SparseHeader.MAX_CAPACITY_SECTORS) {
                throw new ImageFormatException(file, at, "extent offset", "'" + offsetText + "' in '" + line + "' is out of range");
            }
        }
        return new ExtentLine(m.group(1), sectors, type, name, offset, at);
    }

    /** A delta disk names its parent; qemu follows the hint whenever it is present. */
    boolean hasParent() {
        return parentFileNameHint != null;
    }
}
