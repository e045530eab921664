package io.lunport.translation.vhdx.synth;

import static io.lunport.translation.blockmap.ImageTests.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The readers we did not write, as oracles for synthesized VHDX files: qemu-img (check, info,
 * compare; 512-byte sectors only in qemu 7.2) and libyal's libvhdi (vhdiinfo, and its Python
 * binding, Debian python3-libvhdi, to read every byte, 4096-byte sectors included).
 */
public final class VhdxOracles {

    /** Reads the whole virtual disk of a VHD/VHDX with libvhdi into a raw file; prints size and sector size. */
    private static final String LIBVHDI_READ = String.join("\n",
            "import pyvhdi, sys",
            "f = pyvhdi.file()",
            "f.open(sys.argv[1])",
            "size = f.get_media_size()",
            "with open(sys.argv[2], 'wb') as out:",
            "    at = 0",
            "    while at < size:",
            "        n = min(1 << 20, size - at)",
            "        out.write(f.read_buffer_at_offset(n, at))",
            "        at += n",
            "print(size, f.get_bytes_per_sector())",
            "f.close()");

    private VhdxOracles() {
    }

    /** Writes the DATA extents of {@code source} to {@code file}, the rest as holes, at the source's full length. */
    public static Path materialize(BlockSource source, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Extent e : source.extents(0, source.size())) {
                if (e.kind() != Extent.Kind.DATA) {
                    continue;
                }
                for (long at = e.offset(); at < e.end(); ) {
                    buffer.clear().limit((int) Math.min(buffer.capacity(), e.end() - at));
                    source.read(at, buffer);
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        at += out.write(buffer, at);
                    }
                }
            }
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(source.size());
        }
        return file;
    }

    /** qemu-img check and info accept the file as a VHDX of {@code virtualSize} bytes. */
    public static void qemuAccepts(Path vhdx, long virtualSize) throws Exception {
        String check = run("qemu-img", "check", "-f", "vhdx", vhdx.toString());
        assertThat(check).contains("No errors were found");
        String info = run("qemu-img", "info", "-f", "vhdx", "--output=json", vhdx.toString());
        assertThat(info).contains("\"virtual-size\": " + virtualSize + ",").contains("\"format\": \"vhdx\"");
    }

    /** qemu-img compare finds the VHDX and the image (through its chain) identical. */
    public static void qemuIdentical(Path vhdx, Path image, String format) throws Exception {
        assertThat(run("qemu-img", "compare", "-f", "vhdx", "-F", format, vhdx.toString(), image.toString()))
                .contains("Images are identical");
    }

    private static final Pattern VHDI_SIZE = Pattern.compile("Media size\\s*:.*\\((\\d+) bytes\\)");
    private static final Pattern VHDI_SECTOR = Pattern.compile("Bytes per sector\\s*:\\s*(\\d+) bytes");

    /** vhdiinfo accepts the file and reports this size and sector size. */
    public static void vhdiinfoAccepts(Path vhdx, long virtualSize, int sectorSize) throws Exception {
        String out = run("vhdiinfo", vhdx.toString());
        Matcher size = VHDI_SIZE.matcher(out);
        Matcher sector = VHDI_SECTOR.matcher(out);
        assertThat(size.find() && sector.find()).as("vhdiinfo output:%n%s", out).isTrue();
        assertThat(Long.parseLong(size.group(1))).as(out).isEqualTo(virtualSize);
        assertThat(Integer.parseInt(sector.group(1))).as(out).isEqualTo(sectorSize);
        assertThat(out).contains("Format\t\t\t: VHDX (version 2)").contains("Disk type\t\t: Dynamic");
    }

    /** Every byte of the VHDX's virtual disk as libvhdi reads it, as a raw file next to it. */
    public static Path libvhdiRaw(Path vhdx) throws Exception {
        Path raw = vhdx.resolveSibling(vhdx.getFileName() + ".libvhdi.raw");
        run("/usr/bin/python3", "-c", LIBVHDI_READ, vhdx.toString(), raw.toString());
        return raw;
    }

    /** The two files hold the same bytes, {@code longer} possibly followed by zeros only. */
    public static void assertSameBytesZeroPadded(Path expected, Path longer) throws IOException {
        byte[] want = Files.readAllBytes(expected);
        byte[] got = Files.readAllBytes(longer);
        assertThat(got.length).isGreaterThanOrEqualTo(want.length);
        int mismatch = java.util.Arrays.mismatch(want, 0, want.length, got, 0, want.length);
        assertThat(mismatch).as("first differing byte between %s and %s", expected, longer).isEqualTo(-1);
        for (int i = want.length; i < got.length; i++) {
            assertThat(got[i]).as("padding byte %d of %s", i, longer).isZero();
        }
    }

    /**
     * A sparse raw file of {@code size} bytes holding seeded random bytes only in
     * {@code ranges} (pairs of offset and length): the gaps are holes, so converters leave
     * whole blocks unallocated.
     */
    public static Path sparseRaw(Path file, long size, long seed, long... ranges) throws IOException {
        Random random = new Random(seed);
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(size);
            for (int i = 0; i < ranges.length; i += 2) {
                byte[] data = new byte[(int) ranges[i + 1]];
                random.nextBytes(data);
                raf.seek(ranges[i]);
                raf.write(data);
            }
        }
        return file;
    }
}
