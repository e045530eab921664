package io.lunport.it;

import java.nio.file.Path;

/**
 * libyal's libvhdi as an oracle we did not write: {@code vhdiinfo} for the headers, and its
 * Python binding to read a whole virtual disk (Debian python3-libvhdi, so Debian's
 * /usr/bin/python3 whatever python3 comes first on the PATH; Debian 12's libvhdi-utils has no
 * vhdiexport). It opens the 4096-byte-sector VHDX files qemu 7.2 refuses.
 */
final class Libvhdi {

    /** Reads the virtual disk of a VHD/VHDX into a raw file; prints "SIZE SECTOR_SIZE". */
    private static final String READ_ALL = String.join("\n",
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

    private Libvhdi() {}

    /** Reads {@code image}'s virtual disk into {@code raw}; returns libvhdi's "SIZE SECTOR_SIZE". */
    static String readAll(Path image, Path raw) {
        return Tools.check(Tools.DEFAULT_TIMEOUT, "/usr/bin/python3", "-c", READ_ALL, image.toString(), raw.toString())
                .stdout().trim();
    }

    /** {@code vhdiinfo IMAGE}: fails the test unless libvhdi accepts the file. */
    static String info(Path image) {
        return Tools.check("vhdiinfo", image.toString()).stdout();
    }
}
