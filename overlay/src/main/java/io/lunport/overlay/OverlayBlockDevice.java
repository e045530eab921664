package io.lunport.overlay;

import io.lunport.device.BlockDevice;
import io.lunport.device.NoSpaceException;
import io.lunport.translation.BlockSource;
import io.lunport.translation.Extent;
import io.lunport.translation.Extents;
import io.lunport.translation.MediumException;
import io.lunport.translation.SourceInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A writable virtual disk over a read-only {@link BlockSource}: every write lands in a sparse
 * overlay file, the image is never touched. See {@code package-info.java} for the file
 * format, the memory cost and the crash-safety argument.
 *
 * <p><b>Memory:</b> 2 bits per grain: 64 MiB per TiB of virtual disk at the default 4 KiB
 * grain (16 MiB at 16 KiB, 4 MiB at 64 KiB), plus one lock array of {@value #STRIPES} locks
 * and one grain-sized direct buffer per writing thread.
 *
 * <p><b>Locking contract</b>, method by method:
 * <ul>
 * <li>{@link #extents}, {@link #size}, {@link #identity}: take no lock. {@link #read} reads
 *     each grain's state once (volatile); a grain becomes PRESENT only after all of its data is
 *     in the file, so a reader sees a grain either entirely from the image (or zeros) or
 *     entirely from the overlay, never a mix produced by copy-on-write. It reads PRESENT runs
 *     under their stripe locks (ascending, as writes take them), so a concurrent write to the
 *     same grain is seen whole or not at all.</li>
 * <li>{@link #write}, {@link #deallocate}: take the stripe locks of every grain they touch, in
 *     ascending stripe order (so never deadlock), for the data write and the map update;
 *     writes to grains in different stripes run in parallel, writes to one grain are ordered.
 *     With FUA (and always for deallocate) they then take the flush lock, outside the stripe
 *     locks.</li>
 * <li>{@link #flush}: takes the flush lock only, never a stripe lock; concurrent flushes
 *     coalesce (one fsync pair covers every caller whose writes had completed when it
 *     began).</li>
 * <li>{@link #close}: must not race with any other call (the owner closes after the last
 *     command); it flushes.</li>
 * </ul>
 */
public final class OverlayBlockDevice implements BlockDevice {

    public static final int DEFAULT_GRAIN_SIZE = 4096;
    /** Grain lock stripes: a power of two, far above the number of commands in flight. */
    static final int STRIPES = 4096;
    /** Map pages written per fsync-data/write round of a flush (bounds the staging buffer to 1 MiB). */
    private static final int PAGES_PER_BATCH = 256;
    private static final int ZEROS_LENGTH = 64 << 10;
    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(ZEROS_LENGTH);

    private final BlockSource base;
    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;
    private final OverlayHeader header;
    private final GrainMap map;
    private final boolean readOnly;
    private final long size;
    private final int grainShift;
    private final long dataOffset;
    private final ReentrantLock[] stripes = new ReentrantLock[STRIPES];
    private final ThreadLocal<ByteBuffer> grainBuffers;

    /** Set after a data write completes; cleared by the flush that fsyncs it. */
    private final AtomicBoolean dataDirty = new AtomicBoolean();
    /** Flush tickets: a flush that begins after ticket t was taken covers t. */
    private final AtomicLong tickets = new AtomicLong();
    private final Object flushLock = new Object();
    // Guarded by flushLock:
    private long durableTicket;
    private long sequence;
    /** Per map page: which of its two slots holds the newest valid copy (-1: neither). */
    private final byte[] currentSlot;
    private final ByteBuffer staging = ByteBuffer.allocateDirect(PAGES_PER_BATCH * GrainMap.PAGE_SIZE);
    private final int[] stagedPages = new int[PAGES_PER_BATCH];
    private boolean closed;

    private OverlayBlockDevice(BlockSource base, Path file, FileChannel channel, FileLock lock, OverlayHeader header,
                               boolean readOnly) {
        this.base = base;
        this.file = file;
        this.channel = channel;
        this.lock = lock;
        this.header = header;
        this.readOnly = readOnly;
        this.size = header.virtualSize();
        this.grainShift = Integer.numberOfTrailingZeros(header.grainSize());
        this.dataOffset = header.dataOffset();
        this.map = new GrainMap(header.grains());
        this.currentSlot = new byte[map.pages()];
        Arrays.fill(currentSlot, (byte) -1);
        for (int i = 0; i < STRIPES; i++) {
            stripes[i] = new ReentrantLock();
        }
        int grainSize = header.grainSize();
        this.grainBuffers = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(grainSize));
    }

    /** Opens (or creates, with 4 KiB grains) the overlay {@code file} over {@code base}, writable. */
    public static OverlayBlockDevice open(BlockSource base, Path file) throws IOException {
        return open(base, file, DEFAULT_GRAIN_SIZE);
    }

    /**
     * Opens the overlay {@code file} over {@code base} for writing, creating it with
     * {@code grainSize} when it does not exist (an existing overlay keeps its own grain size).
     * On success the device owns {@code base} and closes it; on failure the caller still does.
     *
     * @throws OverlayException when the file is not an overlay, belongs to another image or
     *                          to this image before it changed, or is attached elsewhere
     */
    public static OverlayBlockDevice open(BlockSource base, Path file, int grainSize) throws IOException {
        if (!Files.exists(file)) {
            create(base, file, grainSize);
        }
        return attach(base, file, false);
    }

    /**
     * Opens an existing overlay to read through it (export): no writes, and refused while a
     * server has it attached, whose latest writes may not be in the file yet.
     */
    public static OverlayBlockDevice openReadOnly(BlockSource base, Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new OverlayException(file, "no overlay " + file);
        }
        return attach(base, file, true);
    }

    private static void create(BlockSource base, Path file, int grainSize) throws IOException {
        BaseFacts facts = BaseFacts.of(base);
        OverlayHeader header = OverlayHeader.create(grainSize, base.size(), facts.fileSize, facts.mtimeMillis,
                base.identity(), base.formatName(), facts.path);
        Path parent = file.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        // Written aside and renamed into place, so that a crash never leaves a half-made overlay.
        Path temporary = parent.resolve(file.getFileName() + ".new");
        try (FileChannel out = FileChannel.open(temporary, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer encoded = header.encode();
            while (encoded.hasRemaining()) {
                out.write(encoded, encoded.position());
            }
            out.force(true);
        }
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE);
        syncDirectory(parent);
    }

    private static OverlayBlockDevice attach(BlockSource base, Path file, boolean readOnly) throws IOException {
        FileChannel channel = readOnly ? FileChannel.open(file, StandardOpenOption.READ)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        try {
            FileLock lock = lock(channel, file, readOnly);
            OverlayHeader header = readHeader(channel, file);
            checkBelongs(header, base, file);
            OverlayBlockDevice device = new OverlayBlockDevice(base, file, channel, lock, header, readOnly);
            device.loadMap();
            return device;
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
    }

    /** The server's exclusive lock: `overlay reset` and a second server are refused while it is held. */
    static FileLock lock(FileChannel channel, Path file, boolean shared) throws IOException {
        FileLock lock;
        try {
            lock = channel.tryLock(0, Long.MAX_VALUE, shared);
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new OverlayException(file, "overlay " + file + " is in use (a lunport server has it attached)");
        }
        return lock;
    }

    static OverlayHeader readHeader(FileChannel channel, Path file) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(OverlayHeader.SIZE);
        while (raw.hasRemaining() && channel.read(raw, raw.position()) > 0) {
            // read until full or end of file
        }
        raw.flip();
        return OverlayHeader.decode(file, raw);
    }

    private static void checkBelongs(OverlayHeader header, BlockSource base, Path file) throws IOException {
        BaseFacts facts = BaseFacts.of(base);
        String problem = null;
        if (!Arrays.equals(header.baseIdentity(), clipIdentity(base.identity()))) {
            problem = "another image (identities differ)";
        } else if (header.virtualSize() != base.size()) {
            problem = "a disk of " + header.virtualSize() + " bytes, the image is " + base.size() + " bytes now";
        } else if (header.baseFileSize() >= 0 && facts.fileSize >= 0
                && (header.baseFileSize() != facts.fileSize || header.baseMtimeMillis() != facts.mtimeMillis)) {
            problem = "this image before it changed (size " + header.baseFileSize() + " and mtime "
                    + java.time.Instant.ofEpochMilli(header.baseMtimeMillis()) + " then, " + facts.fileSize + " and "
                    + java.time.Instant.ofEpochMilli(facts.mtimeMillis) + " now)";
        }
        if (problem != null) {
            throw new OverlayException(file, "overlay " + file + " was made for " + header.basePath() + " ("
                    + header.baseFormat() + ", identity " + header.identityHex().substring(0, 16) + "), not for "
                    + facts.path + " (" + base.formatName() + ", identity "
                    + java.util.HexFormat.of().formatHex(clipIdentity(base.identity())).substring(0, 16) + "): it belongs to "
                    + problem + "; move the overlay away to start a new one");
        }
    }

    private static byte[] clipIdentity(byte[] identity) {
        return identity.length > 64 ? Arrays.copyOf(identity, 64) : identity;
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException e) {
            // Some file systems cannot fsync a directory; the rename is then as durable as they make it.
        }
    }

    /** Path, size and modification time of the base's top file, as far as it names one. */
    private record BaseFacts(String path, long fileSize, long mtimeMillis) {
        static BaseFacts of(BlockSource base) {
            try {
                SourceInfo info = base.describe();
                if (info != null && info.file() != null && Files.isRegularFile(info.file())) {
                    Path p = info.file();
                    return new BaseFacts(p.toAbsolutePath().toString(), Files.size(p), Files.getLastModifiedTime(p).toMillis());
                }
            } catch (IOException | RuntimeException e) {
                // fall through: the identity alone decides
            }
            return new BaseFacts("(unnamed " + base.formatName() + " image)", -1, -1);
        }
    }

    private void loadMap() throws IOException {
        sequence = loadMap(channel, header, map, currentSlot);
    }

    /**
     * Reads both copies of every map page into {@code map} and keeps the newest valid one of
     * each; records the chosen slot per page; returns the highest valid sequence number.
     */
    static long loadMap(FileChannel channel, OverlayHeader header, GrainMap map, byte[] currentSlot) throws IOException {
        long fileSize = channel.size();
        long sequence = 0;
        int batch = 128;
        ByteBuffer buffer = ByteBuffer.allocateDirect(batch * 2 * GrainMap.PAGE_SIZE);
        for (int first = 0; first < map.pages(); first += batch) {
            long position = header.slotOffset(first, 0);
            if (position >= fileSize) {
                break; // never written: every later page is empty too
            }
            int pages = Math.min(batch, map.pages() - first);
            buffer.clear().limit(pages * 2 * GrainMap.PAGE_SIZE);
            while (buffer.hasRemaining()) {
                int n = channel.read(buffer, position);
                if (n < 0) {
                    fillZeros(buffer);
                    break;
                }
                position += n;
            }
            for (int i = 0; i < pages; i++) {
                int page = first + i;
                ByteBuffer slot0 = buffer.duplicate().position(i * 2 * GrainMap.PAGE_SIZE);
                ByteBuffer slot1 = buffer.duplicate().position((i * 2 + 1) * GrainMap.PAGE_SIZE);
                long seq0 = GrainMap.validSeq(page, slot0);
                long seq1 = GrainMap.validSeq(page, slot1);
                if (seq0 < 0 && seq1 < 0) {
                    continue;
                }
                int slot = seq1 > seq0 ? 1 : 0;
                map.loadPage(page, slot == 1 ? slot1 : slot0);
                currentSlot[page] = (byte) slot;
                sequence = Math.max(sequence, Math.max(seq0, seq1));
            }
        }
        return sequence;
    }

    // ---- BlockSource ----

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long offset, ByteBuffer dst) throws IOException {
        checkRange(offset, dst.remaining());
        int limit = dst.limit();
        long position = offset;
        try {
            while (dst.position() < limit) {
                long grain = position >>> grainShift;
                int state = map.state(grain);
                long runEnd = Math.min(position + (limit - dst.position()), grainEnd(grain));
                while (runEnd < position + (limit - dst.position()) && map.state(runEnd >>> grainShift) == state) {
                    runEnd = Math.min(position + (limit - dst.position()), grainEnd(runEnd >>> grainShift));
                }
                int n = (int) (runEnd - position);
                dst.limit(dst.position() + n);
                if (state == GrainMap.PRESENT) {
                    // Under the grains' stripe locks, so that a write to the same grain cannot be
                    // half-copied into this read (the OS does not order pread against pwrite).
                    long firstGrain = position >>> grainShift;
                    long lastGrain = (runEnd - 1) >>> grainShift;
                    lockGrains(firstGrain, lastGrain);
                    try {
                        readFully(dataOffset + position, dst, position);
                    } finally {
                        unlockGrains(firstGrain, lastGrain);
                    }
                } else if (state == GrainMap.ZERO) {
                    fillZeros(dst);
                } else {
                    base.read(position, dst);
                }
                dst.limit(limit);
                position = runEnd;
            }
        } finally {
            dst.limit(limit);
        }
    }

    @Override
    public List<Extent> extents(long offset, long length) throws IOException {
        checkRange(offset, length);
        Extents runs = new Extents();
        long position = offset;
        long end = offset + length;
        while (position < end) {
            int state = map.state(position >>> grainShift);
            long runEnd = Math.min(end, grainEnd(position >>> grainShift));
            while (runEnd < end && map.state(runEnd >>> grainShift) == state) {
                runEnd = Math.min(end, grainEnd(runEnd >>> grainShift));
            }
            if (state == GrainMap.PRESENT) {
                runs.add(position, runEnd - position, Extent.Kind.DATA);
            } else if (state == GrainMap.ZERO) {
                runs.add(position, runEnd - position, Extent.Kind.ZERO);
            } else {
                for (Extent e : base.extents(position, runEnd - position)) {
                    runs.add(e.offset(), e.length(), e.kind());
                }
            }
            position = runEnd;
        }
        return runs.build();
    }

    @Override
    public byte[] identity() {
        return base.identity();
    }

    @Override
    public String formatName() {
        return base.formatName();
    }

    @Override
    public SourceInfo describe() throws IOException {
        return base.describe();
    }

    // ---- BlockDevice ----

    @Override
    public boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public void write(long offset, ByteBuffer src, boolean forceUnitAccess) throws IOException {
        checkWritable();
        int length = src.remaining();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long first = offset >>> grainShift;
        long last = (offset + length - 1) >>> grainShift;
        boolean allocated;
        lockGrains(first, last);
        try {
            allocated = writeLocked(offset, src, first, last);
        } finally {
            unlockGrains(first, last);
        }
        if (forceUnitAccess) {
            if (allocated) {
                makeDurable(tickets.incrementAndGet());
            } else {
                forceData(offset);
            }
        }
    }

    /** With the grains' locks held: copy-on-write of partial head and tail grains, then the rest in one write. */
    private boolean writeLocked(long offset, ByteBuffer src, long first, long last) throws IOException {
        int start = src.position();
        long end = offset + src.remaining();
        long directFrom = offset;
        long directTo = end;
        if (map.state(first) != GrainMap.PRESENT && (offset > grainStart(first) || end < grainEnd(first))) {
            copyOnWrite(first, offset, end, src, start);
            directFrom = Math.min(end, grainEnd(first));
        }
        if (last != first && map.state(last) != GrainMap.PRESENT && end < grainEnd(last)) {
            copyOnWrite(last, offset, end, src, start);
            directTo = grainStart(last);
        }
        if (directFrom < directTo) {
            int limit = src.limit();
            src.limit(start + (int) (directTo - offset)).position(start + (int) (directFrom - offset));
            try {
                writeFully(dataOffset + directFrom, src, directFrom);
            } finally {
                src.limit(limit);
            }
        }
        src.position(src.limit());
        dataDirty.set(true);
        // Only now, with every byte of every grain in the file, do the grains become visible.
        boolean allocated = false;
        for (long g = first; g <= last; g++) {
            allocated |= map.set(g, GrainMap.PRESENT);
        }
        return allocated;
    }

    /** Writes grain {@code grain} whole: its old content (image or zeros) with the write's bytes laid over it. */
    private void copyOnWrite(long grain, long offset, long end, ByteBuffer src, int srcStart) throws IOException {
        long grainStart = grainStart(grain);
        int grainLength = (int) (grainEnd(grain) - grainStart);
        ByteBuffer buffer = grainBuffers.get();
        buffer.clear().limit(grainLength);
        if (map.state(grain) == GrainMap.NOT_PRESENT) {
            base.read(grainStart, buffer);
        } else {
            fillZeros(buffer);
        }
        long from = Math.max(offset, grainStart);
        long to = Math.min(end, grainStart + grainLength);
        if (src != null) {
            buffer.put((int) (from - grainStart), src, srcStart + (int) (from - offset), (int) (to - from));
        } else {
            for (long at = from; at < to; ) {
                int n = (int) Math.min(ZEROS_LENGTH, to - at);
                buffer.put((int) (at - grainStart), ZEROS, 0, n);
                at += n;
            }
        }
        buffer.position(0).limit(grainLength);
        writeFully(dataOffset + grainStart, buffer, from);
    }

    @Override
    public void flush() throws IOException {
        if (readOnly) {
            return;
        }
        makeDurable(tickets.incrementAndGet());
    }

    @Override
    public boolean supportsDeallocate() {
        return !readOnly;
    }

    /**
     * Whole grains become ZERO (they read as zeros from now on, never as the image again);
     * the parts of partial grains at the ends are written with zeros. Durable on return:
     * an UNMAP that a crash could undo would let old image data show again.
     */
    @Override
    public void deallocate(long offset, long length) throws IOException {
        checkWritable();
        checkRange(offset, length);
        if (length == 0) {
            return;
        }
        long end = offset + length;
        long first = offset >>> grainShift;
        long last = (end - 1) >>> grainShift;
        lockGrains(first, last);
        try {
            for (long g = first; g <= last; g++) {
                long from = Math.max(offset, grainStart(g));
                long to = Math.min(end, grainEnd(g));
                int state = map.state(g);
                if (from == grainStart(g) && to == grainEnd(g)) {
                    map.set(g, GrainMap.ZERO);
                } else if (state == GrainMap.PRESENT) {
                    ByteBuffer buffer = grainBuffers.get();
                    buffer.clear().limit((int) (to - from));
                    fillZeros(buffer);
                    buffer.flip();
                    writeFully(dataOffset + from, buffer, from);
                    dataDirty.set(true);
                } else if (state == GrainMap.NOT_PRESENT) {
                    copyOnWrite(g, from, to, null, 0);
                    dataDirty.set(true);
                    map.set(g, GrainMap.PRESENT);
                }
            }
        } finally {
            unlockGrains(first, last);
        }
        makeDurable(tickets.incrementAndGet());
    }

    @Override
    public void close() throws IOException {
        synchronized (flushLock) {
            if (closed) {
                return;
            }
        }
        try {
            if (!readOnly) {
                flush();
            }
        } finally {
            synchronized (flushLock) {
                closed = true;
            }
            try {
                channel.close(); // releases the lock
            } finally {
                base.close();
            }
        }
    }

    // ---- what `overlay info` and tests look at ----

    public Path file() {
        return file;
    }

    public int grainSize() {
        return header.grainSize();
    }

    /** Grains that read from the overlay file. */
    public long grainsPresent() {
        return map.count(GrainMap.PRESENT);
    }

    /** Bytes of data the overlay stores: grains present times the grain size. */
    public long bytesUsed() {
        return grainsPresent() * header.grainSize();
    }

    /** Grains that read as zeros after a deallocation. */
    public long grainsZero() {
        return map.count(GrainMap.ZERO);
    }

    // ---- durability ----

    /**
     * Makes durable every write that completed before {@code ticket} was taken. Flushes
     * coalesce: whoever holds the flush lock persists for everyone whose ticket was taken
     * before it started.
     */
    private void makeDurable(long ticket) throws IOException {
        synchronized (flushLock) {
            if (closed) {
                throw new IOException("overlay " + file + " is closed");
            }
            if (durableTicket >= ticket) {
                return;
            }
            long covering = tickets.get();
            persist();
            durableTicket = covering;
        }
    }

    /**
     * The commit protocol, with the flush lock held. In rounds of up to {@link #PAGES_PER_BATCH}
     * dirty map pages: (1) copy the pages (a snapshot: every PRESENT in it was set after its data
     * write completed); (2) fsync, so that data is on disk before any map entry naming it;
     * (3) write each page to the slot that does not hold its newest durable copy, with a new
     * sequence number and CRC32C; (4) fsync, and only then count the new copy as the one to keep.
     * A crash or a torn write before (4) ends leaves the other slot, the last good state, to win
     * at the next open. On failure the pages stay dirty, and the next flush writes the same slot.
     */
    private void persist() throws IOException {
        int page = 0;
        while (true) {
            int count = 0;
            staging.clear();
            while (count < PAGES_PER_BATCH && (page = map.takeDirtyPage(page)) >= 0) {
                staging.position(count * GrainMap.PAGE_SIZE);
                map.encodePage(page, ++sequence, staging);
                stagedPages[count++] = page;
                page++;
            }
            boolean data = dataDirty.getAndSet(false);
            try {
                if (data || count > 0) {
                    channel.force(false);
                }
                for (int i = 0; i < count; i++) {
                    int p = stagedPages[i];
                    ByteBuffer copy = staging.duplicate();
                    copy.limit((i + 1) * GrainMap.PAGE_SIZE).position(i * GrainMap.PAGE_SIZE);
                    long position = header.slotOffset(p, currentSlot[p] == 0 ? 1 : 0);
                    while (copy.hasRemaining()) {
                        position += channel.write(copy, position);
                    }
                }
                if (count > 0) {
                    channel.force(false);
                }
            } catch (IOException e) {
                for (int i = 0; i < count; i++) {
                    map.markDirty(stagedPages[i]);
                }
                dataDirty.set(true);
                throw failure("flush", 0, e);
            }
            for (int i = 0; i < count; i++) {
                int p = stagedPages[i];
                currentSlot[p] = (byte) (currentSlot[p] == 0 ? 1 : 0);
            }
            if (count < PAGES_PER_BATCH || page < 0) {
                return;
            }
        }
    }

    private void forceData(long virtualOffset) throws IOException {
        try {
            channel.force(false);
        } catch (IOException e) {
            dataDirty.set(true);
            throw failure("flush", virtualOffset, e);
        }
    }

    // ---- helpers ----

    private long grainStart(long grain) {
        return grain << grainShift;
    }

    private long grainEnd(long grain) {
        return Math.min((grain + 1) << grainShift, size);
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > size || length > size - offset) {
            throw new IllegalArgumentException("range " + offset + "+" + length + " is outside the disk (" + size + " bytes)");
        }
    }

    private void checkWritable() {
        if (readOnly) {
            throw new UnsupportedOperationException("overlay " + file + " is open read-only");
        }
    }

    private void lockGrains(long first, long last) {
        if (last - first + 1 >= STRIPES) {
            for (ReentrantLock stripe : stripes) {
                stripe.lock();
            }
            return;
        }
        int s = (int) (first & (STRIPES - 1));
        int e = (int) (last & (STRIPES - 1));
        if (s <= e) {
            for (int i = s; i <= e; i++) {
                stripes[i].lock();
            }
        } else {
            for (int i = 0; i <= e; i++) {
                stripes[i].lock();
            }
            for (int i = s; i < STRIPES; i++) {
                stripes[i].lock();
            }
        }
    }

    private void unlockGrains(long first, long last) {
        if (last - first + 1 >= STRIPES) {
            for (ReentrantLock stripe : stripes) {
                stripe.unlock();
            }
            return;
        }
        int s = (int) (first & (STRIPES - 1));
        int e = (int) (last & (STRIPES - 1));
        if (s <= e) {
            for (int i = s; i <= e; i++) {
                stripes[i].unlock();
            }
        } else {
            for (int i = 0; i <= e; i++) {
                stripes[i].unlock();
            }
            for (int i = s; i < STRIPES; i++) {
                stripes[i].unlock();
            }
        }
    }

    private void readFully(long position, ByteBuffer dst, long virtualOffset) throws IOException {
        try {
            while (dst.hasRemaining()) {
                int n = channel.read(dst, position);
                if (n < 0) {
                    fillZeros(dst); // a sparse tail past the end of the file
                    return;
                }
                position += n;
            }
        } catch (IOException e) {
            throw failure("read", virtualOffset, e);
        }
    }

    private void writeFully(long position, ByteBuffer src, long virtualOffset) throws IOException {
        try {
            while (src.hasRemaining()) {
                position += channel.write(src, position);
            }
        } catch (IOException e) {
            throw failure("write", virtualOffset, e);
        }
    }

    private IOException failure(String what, long virtualOffset, IOException e) {
        if (NoSpaceException.isNoSpace(e)) {
            return new NoSpaceException(virtualOffset, "overlay " + file + ": no space left for the " + what
                    + " at virtual offset " + virtualOffset, e);
        }
        if (e instanceof MediumException) {
            return e;
        }
        return new MediumException(virtualOffset, what + " of overlay " + file + " at virtual offset " + virtualOffset
                + " failed: " + e.getMessage(), e);
    }

    private static void fillZeros(ByteBuffer dst) {
        while (dst.hasRemaining()) {
            int n = Math.min(ZEROS_LENGTH, dst.remaining());
            dst.put(dst.position(), ZEROS, 0, n);
            dst.position(dst.position() + n);
        }
    }
}
