package io.lunport.translation;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.stats.CacheStats;
import io.lunport.translation.cache.OffHeapDataCache;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * Caches shared by every open image: metadata tables (L2 tables, grain tables, BAT pages,
 * block maps) on the heap, and decompressed clusters and grains in recycled direct memory
 * ({@link OffHeapDataCache}), each bounded in bytes, not entries, so that a 2 TB image costs
 * no more memory than a small one.
 *
 * <p>Memory cost: at most {@code metadataBytes} of heap plus Caffeine's bookkeeping (about 100
 * bytes per entry), and {@code dataBytes} of direct memory, reserved as units arrive and then
 * kept (counted against {@code -XX:MaxDirectMemorySize}); images with several cluster sizes
 * add at most one chunk (1 MiB, or one slot of up to 2 MiB) per further size, see
 * {@link OffHeapDataCache}. Thread-safe.
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
    private final OffHeapDataCache data;

    public TranslationContext(long metadataBytes, long dataBytes) {
        this.metadata = newCache(metadataBytes);
        this.data = new OffHeapDataCache(dataBytes);
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

    /**
     * Copies {@code dst.remaining()} bytes at {@code offsetInUnit} of a decompressed cluster or
     * grain into {@code dst}; on a miss, {@code decoder} decodes the unit (identified by
     * {@code owner} and {@code unit}, at most {@code unitBytes} long) into the cache's direct
     * memory first. Neither a hit nor a miss allocates; the decoder runs outside the cache's
     * locks (a decode takes a hundred microseconds or more).
     *
     * @return the unit's decoded length; when it is shorter than {@code offsetInUnit +
     *         dst.remaining()}, nothing was copied and the caller reports the short unit
     */
    public int data(Object owner, long unit, int unitBytes, OffHeapDataCache.UnitDecoder decoder, long virtualOffset,
            int offsetInUnit, ByteBuffer dst) throws IOException {
        return data.read(owner, unit, unitBytes, decoder, virtualOffset, offsetInUnit, dst);
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

    /** Decompressed bytes the data cache holds now. */
    public long dataBytes() {
        return data.cachedBytes();
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
