package io.lunport.iscsi.login;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * CHAP with MD5 (RFC 1994, as RFC 7143 section 12.1.3 uses it): response =
 * MD5(identifier || secret || challenge). Values travel as 0x-hex or 0b-base64.
 */
public final class Chap {

    /** CHAP_A value for MD5, the only algorithm RFC 7143 requires. */
    public static final String ALGORITHM_MD5 = "5";

    /** Challenge length: RFC 7143 asks for at least as long as the response (16 bytes). */
    static final int CHALLENGE_LENGTH = 32;

    private static final SecureRandom RANDOM = new SecureRandom();

    private Chap() {
    }

    public static byte[] newChallenge() {
        byte[] challenge = new byte[CHALLENGE_LENGTH];
        RANDOM.nextBytes(challenge);
        return challenge;
    }

    public static int newIdentifier() {
        return RANDOM.nextInt(256);
    }

    public static byte[] response(int identifier, String secret, byte[] challenge) {
        try {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            md5.update((byte) identifier);
            md5.update(secret.getBytes(StandardCharsets.UTF_8));
            md5.update(challenge);
            return md5.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every Java platform", e);
        }
    }

    public static boolean verify(int identifier, String secret, byte[] challenge, byte[] response) {
        return MessageDigest.isEqual(response(identifier, secret, challenge), response);
    }

    public static String encode(byte[] value) {
        return "0x" + HexFormat.of().formatHex(value);
    }

    /** Decodes a 0x-hex or 0b-base64 CHAP value; null when it is neither. */
    public static byte[] decode(String value) {
        try {
            if (value.startsWith("0x") || value.startsWith("0X")) {
                String hex = value.substring(2);
                if (hex.length() % 2 == 1) {
                    hex = "0" + hex;
                }
                return HexFormat.of().parseHex(hex);
            }
            if (value.startsWith("0b") || value.startsWith("0B")) {
                return Base64.getDecoder().decode(value.substring(2));
            }
        } catch (IllegalArgumentException e) {
            return null;
        }
        return null;
    }
}
