package io.lunport.scsi;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * The NAA designator that names a logical unit (VPD page 83h, association LU): the same on
 * every portal and every start, different between images. EXTENDED COPY finds its copy targets
 * by it.
 */
public final class NaaDesignator {

    /**
     * The IEEE company id in our NAA-6 designators. lunport has no IEEE assignment, so it uses
     * an id from the locally administered AAI quadrant (first octet xxxx0010b): IEEE never
     * assigns those, so the designator cannot collide with a real vendor's.
     */
    public static final int COMPANY_ID = 0x024C50;

    /** An NAA 6 designator is 16 bytes. */
    public static final int LENGTH = 16;

    private NaaDesignator() {
    }

    /**
     * NAA 6 (IEEE registered extended): 4 bits NAA, 24 bits company id, then 100 bits taken
     * from a hash of the image identity.
     */
    public static byte[] of(byte[] identity) {
        byte[] hash;
        try {
            hash = MessageDigest.getInstance("SHA-256").digest(identity);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
        byte[] naa = new byte[LENGTH];
        naa[0] = (byte) (0x60 | (COMPANY_ID >>> 20));
        naa[1] = (byte) (COMPANY_ID >>> 12);
        naa[2] = (byte) (COMPANY_ID >>> 4);
        naa[3] = (byte) (((COMPANY_ID & 0x0F) << 4) | (hash[0] & 0x0F));
        System.arraycopy(hash, 1, naa, 4, 12);
        return naa;
    }
}
