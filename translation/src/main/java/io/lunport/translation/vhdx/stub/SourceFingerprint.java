package io.lunport.translation.vhdx.stub;

import io.lunport.translation.BlockSource;
import io.lunport.translation.ImageIdentity;
import io.lunport.translation.FileProbe;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;

/**
 * What a stub remembers of its source to notice that it changed: SHA-256 over the format
 * name, the virtual size, the top file's size and modification time, and its first 64 KiB
 * and last KiB (headers, footers, the first tables).
 *
 * <p>Unlike {@link BlockSource#identity()} this leaves the path out, so a stub and its image
 * moved together (found through the relative path) still match. The price: a rewritten
 * backing file below an unchanged top file goes unnoticed here (an overlay on the LUN still
 * notices it through the identity).
 */
public final class SourceFingerprint {

    public static final int LENGTH = 32;

    private SourceFingerprint() {
    }

    public static byte[] of(Path file, BlockSource source) throws IOException {
        BasicFileAttributes attrs = Files.readAttributes(file, BasicFileAttributes.class);
        FileProbe probe = FileProbe.read(file);
        MessageDigest sha = ImageIdentity.sha256();
        sha.update(("lunport source fingerprint v1|" + source.formatName() + "|" + source.size() + "|" + attrs.size() + "|"
                + attrs.lastModifiedTime().toMillis() + "|").getBytes(StandardCharsets.UTF_8));
        sha.update(probe.head().duplicate());
        sha.update(probe.tail().duplicate());
        return sha.digest();
    }
}
