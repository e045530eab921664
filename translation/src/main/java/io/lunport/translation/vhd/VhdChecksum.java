package io.lunport.translation.vhd;

/** The VHD checksum: the ones' complement of the byte sum of a structure, its checksum field counted as zero. */
final class VhdChecksum {

    private VhdChecksum() {
    }

    static int compute(byte[] bytes, int checksumOffset) {
        int sum = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (i < checksumOffset || i >= checksumOffset + 4) {
                sum += bytes[i] & 0xff;
            }
        }
        return ~sum;
    }
}
