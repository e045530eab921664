/**
 * The overlay: a sparse differencing file that takes every write to a LUN, so that the image
 * underneath is never modified ({@link io.lunport.overlay.OverlayBlockDevice}).
 *
 * <h2>Memory cost</h2>
 * Two bits of state per grain, all in memory: <b>64 MiB per TiB of virtual disk</b> at the
 * default 4 KiB grain (16 MiB/TiB at 16 KiB grains, 4 MiB/TiB at 64 KiB). Opening reads the map
 * area of the file (two copies of the map, about 129 MiB per TiB at 4 KiB grains, mostly holes
 * in a sparse file; reading stops at the end of the file, so an unused overlay opens at once).
 * A flush stages at most 1 MiB of map pages.
 *
 * <h2>Locking contract</h2>
 * <ul>
 * <li>{@code read}, {@code extents}, {@code size}, {@code identity}: no lock (one volatile read
 *     of each grain's state).</li>
 * <li>{@code write}, {@code deallocate}: the lock stripes of the grains they touch (grain index
 *     mod 4096), taken in ascending stripe order; then, for FUA and for deallocate, the flush
 *     lock, never while holding a stripe.</li>
 * <li>{@code flush}: the flush lock only; concurrent flushes coalesce.</li>
 * <li>{@code close}: not concurrently with anything else; flushes first.</li>
 * </ul>
 *
 * <h2>File format (version 1), all integers little-endian</h2>
 * <pre>
 *   [0, 4 KiB)             header (OverlayHeader): magic "LUNPOVRL", version, grain size,
 *                          virtual size, map offset and page count, the base image's identity,
 *                          format, path, size and mtime; CRC32C. Written once, never in place.
 *   [1 MiB, 1 MiB + size)  data: virtual offset V lives at file offset 1 MiB + V (sparse)
 *   [map offset, ...)      map pages, each twice (slot 0, slot 1, side by side), 4 KiB each:
 *                          magic "OVMP", page index, sequence number, CRC32C, then 504 longs
 *                          holding 2 bits per grain (16128 grains per page):
 *                          0 NOT_PRESENT (read the image), 1 PRESENT (read the overlay),
 *                          2 ZERO (reads zeros; the image never shows through again).
 * </pre>
 *
 * <h2>Crash safety</h2>
 * A grain's data is written before the in-memory map says PRESENT. A flush snapshots the dirty
 * map pages, fsyncs (data now durable), writes each page into the slot not holding its newest
 * durable copy with a higher sequence number, and fsyncs again. At open each page takes the
 * valid (CRC32C) copy with the higher sequence number, so a torn page write falls back to the
 * last good state of that page. Pages are independent: grains are independent, and a flush
 * that did not complete guarantees nothing about the writes it was covering. Overwriting a
 * PRESENT grain is an in-place write, as on a disk. Deallocation is made durable before it
 * returns.
 */
package io.lunport.overlay;
