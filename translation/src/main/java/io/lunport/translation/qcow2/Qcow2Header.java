package io.lunport.translation.qcow2;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.RawBlockSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The qcow2 header, its extensions and the backing file name: everything in the first
 * cluster that a reader needs, parsed and checked once at open (qemu's
 * {@code docs/interop/qcow2.txt}). Refuses what lunport cannot read faithfully: encrypted
 * images, images marked corrupt, unknown incompatible features (named from the image's own
 * feature name table when it has one).
 */
final class Qcow2Header {

    static final byte[] MAGIC = {'Q', 'F', 'I', (byte) 0xfb};

    static final int V2_HEADER_LENGTH = 72;
    static final int V3_MIN_HEADER_LENGTH = 104;

    static final long INCOMPAT_DIRTY = 1L;
    static final long INCOMPAT_CORRUPT = 1L << 1;
    static final long INCOMPAT_DATA_FILE = 1L << 2;
    static final long INCOMPAT_COMPRESSION = 1L << 3;
    static final long INCOMPAT_EXTL2 = 1L << 4;
    static final long INCOMPAT_KNOWN = INCOMPAT_DIRTY | INCOMPAT_CORRUPT | INCOMPAT_DATA_FILE
            | INCOMPAT_COMPRESSION | INCOMPAT_EXTL2;

    static final long AUTOCLEAR_DATA_FILE_RAW = 1L << 1;

    static final int EXT_END = 0;
    static final int EXT_BACKING_FORMAT = 0xe2792aca;
    static final int EXT_FEATURE_TABLE = 0x6803f857;
    static final int EXT_DATA_FILE = 0x44415441;

    static final int COMPRESSION_DEFLATE = 0;
    static final int COMPRESSION_ZSTD = 1;

    /** qemu's limits: 2 MiB clusters, 32 MiB of L1 table, 1023-byte backing names. */
    static final int MAX_CLUSTER_BITS = 21;
    static final long MAX_L1_BYTES = 32L * 1024 * 1024;
    static final int MAX_BACKING_NAME = 1023;

    final int version;
    final int clusterBits;
    final long size;
    final long l1Size;
    final long l1Offset;
    final int nbSnapshots;
    final long incompatible;
    final long compatible;
    final long autoclear;
    final int headerLength;
    final int compressionType;
    /** The backing file name as stored, or null. */
    final String backingFile;
    /** The backing format extension (a qemu driver name), or null. */
    final String backingFormat;
    /** The external data file name extension, or null. */
    final String dataFile;

    private Qcow2Header(Builder b) {
        this.version = b.version;
        this.clusterBits = b.clusterBits;
        this.size = b.size;
        this.l1Size = b.l1Size;
        this.l1Offset = b.l1Offset;
        this.nbSnapshots = b.nbSnapshots;
        this.incompatible = b.incompatible;
        this.compatible = b.compatible;
        this.autoclear = b.autoclear;
        this.headerLength = b.headerLength;
        this.compressionType = b.compressionType;
        this.backingFile = b.backingFile;
        this.backingFormat = b.backingFormat;
        this.dataFile = b.dataFile;
    }

    int clusterSize() {
        return 1 << clusterBits;
    }

    boolean dirty() {
        return (incompatible & INCOMPAT_DIRTY) != 0;
    }

    boolean hasDataFile() {
        return (incompatible & INCOMPAT_DATA_FILE) != 0;
    }

    boolean dataFileRaw() {
        return (autoclear & AUTOCLEAR_DATA_FILE_RAW) != 0;
    }

    boolean extendedL2() {
        return (incompatible & INCOMPAT_EXTL2) != 0;
    }

    String compressionName() {
        return compressionType == COMPRESSION_ZSTD ? "zstd" : "deflate";
    }

    /** Reads and checks the header of {@code path}, whose channel is {@code ch}. */
    static Qcow2Header read(Path path, FileChannel ch) throws IOException {
        long fileSize = ch.size();
        ByteBuffer fixed = ByteBuffer.allocate(V3_MIN_HEADER_LENGTH + 8);
        RawBlockSource.readUpTo(ch, 0, fixed);
        if (fixed.position() < V2_HEADER_LENGTH) {
            throw new ImageFormatException(path, 0, "header", "file too short for a qcow2 header (" + fileSize + " bytes)");
        }
        fixed.flip();
        for (int i = 0; i < MAGIC.length; i++) {
            if (fixed.get(i) != MAGIC[i]) {
                throw new ImageFormatException(path, 0, "magic", "not a qcow2 image");
            }
        }
        Builder b = new Builder();
        b.version = fixed.getInt(4);
        if (b.version != 2 && b.version != 3) {
            throw new ImageFormatException(path, 4, "version", "qcow2 version " + Integer.toUnsignedString(b.version)
                    + " is not supported (2 and 3 are)");
        }
        long backingOffset = fixed.getLong(8);
        int backingSize = fixed.getInt(16);
        b.clusterBits = fixed.getInt(20);
        if (b.clusterBits < 9 || b.clusterBits > MAX_CLUSTER_BITS) {
            throw new ImageFormatException(path, 20, "cluster_bits", "cluster_bits " + Integer.toUnsignedString(b.clusterBits)
                    + " is outside 9..21 (512 bytes to 2 MiB clusters)");
        }
        int clusterSize = 1 << b.clusterBits;
        b.size = fixed.getLong(24);
        if (b.size < 0) {
            throw new ImageFormatException(path, 24, "size", "virtual size " + Long.toUnsignedString(b.size) + " is too large");
        }
        int cryptMethod = fixed.getInt(32);
        if (cryptMethod != 0) {
            String method = switch (cryptMethod) {
                case 1 -> "AES";
                case 2 -> "LUKS";
                default -> "method " + Integer.toUnsignedString(cryptMethod);
            };
            throw new ImageFormatException(path, 32, "crypt_method", "the image is encrypted (" + method
                    + "); lunport does not read encrypted qcow2 images: decrypt it first (qemu-img convert)");
        }
        b.l1Size = Integer.toUnsignedLong(fixed.getInt(36));
        b.l1Offset = fixed.getLong(40);
        if (b.l1Size * 8 > MAX_L1_BYTES) {
            throw new ImageFormatException(path, 36, "l1_size", b.l1Size + " entries is more than qemu's 32 MiB L1 limit");
        }
        if (b.l1Size > 0 && (b.l1Offset <= 0 || (b.l1Offset & (clusterSize - 1)) != 0)) {
            throw new ImageFormatException(path, 40, "l1_table_offset", "0x" + Long.toHexString(b.l1Offset)
                    + " is not a cluster-aligned offset in the file");
        }
        if (b.l1Size > 0 && b.l1Offset > fileSize - b.l1Size * 8) {
            throw new ImageFormatException(path, 40, "l1_table_offset", "the L1 table at " + b.l1Offset + " (" + b.l1Size
                    + " entries) runs past the end of the file (" + fileSize + " bytes)");
        }
        b.nbSnapshots = fixed.getInt(60);

        b.headerLength = V2_HEADER_LENGTH;
        if (b.version >= 3) {
            if (fixed.limit() < V3_MIN_HEADER_LENGTH) {
                throw new ImageFormatException(path, 0, "header", "file too short for a qcow2 v3 header");
            }
            b.incompatible = fixed.getLong(72);
            b.compatible = fixed.getLong(80);
            b.autoclear = fixed.getLong(88);
            b.headerLength = fixed.getInt(100);
            if (b.headerLength < V3_MIN_HEADER_LENGTH || (b.headerLength & 7) != 0 || b.headerLength > clusterSize) {
                throw new ImageFormatException(path, 100, "header_length", Integer.toUnsignedString(b.headerLength)
                        + " is not a multiple of 8 between 104 and the cluster size");
            }
            if (b.headerLength > V3_MIN_HEADER_LENGTH && fixed.limit() > V3_MIN_HEADER_LENGTH) {
                b.compressionType = Byte.toUnsignedInt(fixed.get(104));
            }
        }

        // The whole first cluster: extensions and the backing file name live there.
        ByteBuffer first = ByteBuffer.allocate((int) Math.min(clusterSize, fileSize));
        RawBlockSource.readUpTo(ch, 0, first);
        first.flip();
        Map<Long, String> incompatibleNames = readExtensions(path, first, b);

        checkIncompatible(path, b, incompatibleNames);
        if (b.compressionType != COMPRESSION_DEFLATE && b.compressionType != COMPRESSION_ZSTD) {
            throw new ImageFormatException(path, 104, "compression_type", "unknown compression type " + b.compressionType
                    + " (0 deflate and 1 zstd are known)");
        }
        if (b.compressionType != COMPRESSION_DEFLATE && (b.incompatible & INCOMPAT_COMPRESSION) == 0) {
            throw new ImageFormatException(path, 104, "compression_type", "compression type " + b.compressionType
                    + " without the compression type incompatible feature bit");
        }
        if ((b.incompatible & INCOMPAT_EXTL2) != 0 && b.clusterBits < 14) {
            throw new ImageFormatException(path, 20, "cluster_bits", "extended L2 entries need clusters of at least 16 KiB, not "
                    + clusterSize + " bytes");
        }
        if ((b.incompatible & INCOMPAT_DATA_FILE) != 0 && b.dataFile == null) {
            throw new ImageFormatException(path, 72, "incompatible_features", "the image keeps its data in an external data file"
                    + " but does not record that file's name (header extension 0x44415441), so it cannot be found");
        }

        // What the L1 table can map: l1_size L2 tables of cluster_size / entry size entries each.
        int entryBits = (b.incompatible & INCOMPAT_EXTL2) != 0 ? 4 : 3;
        int bytesPerL1EntryBits = 2 * b.clusterBits - entryBits;
        long neededL1 = (b.size + (1L << bytesPerL1EntryBits) - 1) >>> bytesPerL1EntryBits;
        if (neededL1 > b.l1Size) {
            throw new ImageFormatException(path, 36, "l1_size", b.l1Size + " L1 entries map only "
                    + Long.toUnsignedString(b.l1Size << bytesPerL1EntryBits) + " bytes, less than the virtual size "
                    + b.size + " (field size at offset 24)");
        }

        if (backingOffset != 0) {
            if (backingSize <= 0 || backingSize > MAX_BACKING_NAME) {
                throw new ImageFormatException(path, 16, "backing_file_size", Integer.toUnsignedString(backingSize)
                        + " bytes is not a backing file name length (1..1023)");
            }
            if (backingOffset < 0 || backingOffset > first.limit() - backingSize) {
                throw new ImageFormatException(path, 8, "backing_file_offset", "the backing file name at " + backingOffset
                        + " (" + backingSize + " bytes) lies outside the first cluster");
            }
            b.backingFile = string(first, (int) backingOffset, backingSize);
        }
        return new Qcow2Header(b);
    }

    /** Walks the header extensions; returns the feature name table's incompatible entries. */
    private static Map<Long, String> readExtensions(Path path, ByteBuffer first, Builder b) throws IOException {
        Map<Long, String> incompatibleNames = new HashMap<>();
        int at = b.headerLength;
        while (at + 8 <= first.limit()) {
            int type = first.getInt(at);
            long length = Integer.toUnsignedLong(first.getInt(at + 4));
            if (type == EXT_END) {
                break;
            }
            int data = at + 8;
            if (data + length > first.limit()) {
                throw new ImageFormatException(path, at, "header extension 0x" + Integer.toHexString(type),
                        "length " + length + " runs past the first cluster");
            }
            int len = (int) length;
            switch (type) {
                case EXT_BACKING_FORMAT -> b.backingFormat = string(first, data, len);
                case EXT_DATA_FILE -> b.dataFile = string(first, data, len);
                case EXT_FEATURE_TABLE -> {
                    for (int e = data; e + 48 <= data + len; e += 48) {
                        if (first.get(e) == 0) {
                            incompatibleNames.put((long) Byte.toUnsignedInt(first.get(e + 1)), cString(first, e + 2, 46));
                        }
                    }
                }
                default -> {
                    // Bitmaps, encryption pointer, unknown extensions: nothing a reader needs.
                }
            }
            at = data + ((len + 7) & ~7);
        }
        return incompatibleNames;
    }

    private static void checkIncompatible(Path path, Builder b, Map<Long, String> names) throws IOException {
        if ((b.incompatible & INCOMPAT_CORRUPT) != 0) {
            throw new ImageFormatException(path, 72, "incompatible_features", "the image is marked corrupt (bit 1);"
                    + " repair it first (qemu-img check -r all) or convert it");
        }
        long unknown = b.incompatible & ~INCOMPAT_KNOWN;
        if (unknown != 0) {
            List<String> listed = new ArrayList<>();
            for (long bit = 0; bit < 64; bit++) {
                if ((unknown & (1L << bit)) != 0) {
                    String name = names.get(bit);
                    listed.add(name == null || name.isEmpty() ? "bit " + bit : "'" + name + "' (bit " + bit + ")");
                }
            }
            throw new ImageFormatException(path, 72, "incompatible_features", "unsupported incompatible feature"
                    + (listed.size() > 1 ? "s " : " ") + String.join(", ", listed));
        }
    }

    private static String string(ByteBuffer buf, int at, int length) {
        byte[] bytes = new byte[length];
        buf.get(at, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static String cString(ByteBuffer buf, int at, int max) {
        int n = 0;
        while (n < max && buf.get(at + n) != 0) {
            n++;
        }
        return string(buf, at, n);
    }

    private static final class Builder {
        int version;
        int clusterBits;
        long size;
        long l1Size;
        long l1Offset;
        int nbSnapshots;
        long incompatible;
        long compatible;
        long autoclear;
        int headerLength;
        int compressionType;
        String backingFile;
        String backingFormat;
        String dataFile;
    }
}
