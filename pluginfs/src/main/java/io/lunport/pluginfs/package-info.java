/**
 * The plugin file system: a FUSE mount (libfuse 2 through jnr-fuse) in which every image
 * appears as one full, writable {@code NAME.vhdx} file that a hypervisor opens directly,
 * locally or through an SMB share of the mount.
 *
 * <p>Layers, from the kernel down:
 * <pre>
 *   PluginFileSystem   FUSE callbacks: paths, attributes, errno; copies between FUSE and Java buffers
 *     PluginFile       one NAME.vhdx: logical length, writes past the end, truncate, flush
 *       OverlayBlockDevice   crash-safe 4 KiB grains, addressed by FILE offset (overlay module)
 *         LazyViewSource     the unwritten file: cached structures, payload from the image opened on demand
 *           ViewFactory      image -> its VHDX view (VhdxView over the translated BlockSource)
 * </pre>
 *
 * <p>State per image in the state directory: {@code NAME.vhdx.overlay} (the writes),
 * {@code NAME.vhdx.length} (logical length and time, replaced atomically) and
 * {@code NAME.vhdx.meta} (a cache of the generated headers, metadata and BAT, so that
 * open, stat and reads of the first MiBs never open the image).
 */
package io.lunport.pluginfs;
