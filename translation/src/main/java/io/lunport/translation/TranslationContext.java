package io.lunport.translation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Caches shared by every open image: metadata tables (L2 tables, grain tables, BAT pages,
 * block maps) and decompressed clusters, each bounded in bytes, not entries, so that a
 * 2 TB image costs no more memory than a small one.
 *
 * <p>Memory cost: at most {@code metadataBytes + dataBytes} plus Caffeine's bookkeeping
 * (about 100 bytes per entry). Thread-safe.
 */
public final class TranslationContext {

    public static final long DEFAULT_METADATA_BYTES = 64L * 1024 * 1024;
    public static final long DEFAULT_DATA_BYTES = 64L * 1024 * 1024;

    /** A cache key: the reader instance that owns the bytes and an offset (or index) inside it. */
    public record Key(Object owner, long position) {
    }

    /** Loads what a cache miss needs; may throw IOException. */
    @FunctionalInterface
    public interface Loader {
        byte[] load() throws IOException;
    }

    private final Cache<Key, byte[]> metadata;
    private final Cache<Key, byte[]> data;

    public TranslationContext(long metadataBytes, long dataBytes) {
        this.metadata = newCache(metadataBytes);
        this.data = newCache(dataBytes);
    }

    public static TranslationContext defaults() {
        return new TranslationContext(DEFAULT_METADATA_BYTES, DEFAULT_DATA_BYTES);
    }

    private static Cache<Key, byte[]> newCache(long maxBytes) {
        return Caffeine.newBuilder()
                .maximumWeight(maxBytes)
                .weigher((Key k, byte[] v) -> v.length)
                .recordStats()
                .build();
    }

    /** A metadata table, loaded on a miss. The array is shared: never modify it. */
    public byte[] metadata(Object owner, long position, Loader loader) throws IOException {
        return get(metadata, owner, position, loader);
    }

    /** A decompressed cluster or grain, loaded on a miss. The array is shared: never modify it. */
    public byte[] data(Object owner, long position, Loader loader) throws IOException {
        return get(data, owner, position, loader);
    }

    public CacheStats metadataStats() {
        return metadata.stats();
    }

    public CacheStats dataStats() {
        return data.stats();
    }

    /** Bytes the metadata cache holds now (the sum of its entries' weights). */
    public long metadataBytes() {
        return weightedSize(metadata);
    }

    /** Bytes the decompressed-data cache holds now. */
    public long dataBytes() {
        return weightedSize(data);
    }

    private static long weightedSize(Cache<Key, byte[]> cache) {
        return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
    }

    private static byte[] get(Cache<Key, byte[]> cache, Object owner, long position, Loader loader) throws IOException {
        try {
            return cache.get(new Key(owner, position), k -> {
                try {
                    return loader.load();
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }
}
