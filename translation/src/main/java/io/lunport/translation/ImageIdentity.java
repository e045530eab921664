package io.lunport.translation;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Identities of read-only images: a SHA-256 over the file's real path, size and
 * modification time, and over the identity of its backing source. Rewriting any layer
 * changes the identity of everything above it, which is how an overlay notices a base
 * that changed under it.
 */
public final class ImageIdentity {

    private ImageIdentity() {
    }

    public static byte[] of(Path file, BlockSource backing) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        MessageDigest sha = sha256();
        sha.update((file.toRealPath() + "|" + attrs.size() + "|" + attrs.lastModifiedTime().toMillis())
                .getBytes(StandardCharsets.UTF_8));
        if (backing != null) {
            sha.update(backing.identity());
        }
        return sha.digest();
    }

    /** A fresh SHA-256 digest (every Java platform has one). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java platform", e);
        }
    }
}
