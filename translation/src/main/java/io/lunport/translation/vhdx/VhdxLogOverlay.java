package io.lunport.translation.vhdx;

import io.lunport.translation.blockmap.ImageFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The file as it reads after a log replay, without writing it: the replayed writes are kept
 * as non-overlapping runs (4 KiB data pages, or zero ranges) that patch every read of the
 * file underneath. Built once while opening, read-only afterwards, so reads need no lock.
 *
 * <p>Memory cost: one 4 KiB page per data descriptor of the active sequence (at most the log's
 * length) plus a small record per run.
 */
final class VhdxLogOverlay implements ImageFile {

    /** A replayed run: {@code data} is a 4 KiB page, or null for zeros. */
    private record Run(long start, long end, byte[] data) {
    }

    private final ImageFile base;
    private final NavigableMap<Long, Run> runs = new TreeMap<>();
    private long size;

    VhdxLogOverlay(ImageFile base, long lastFileOffset) {
        this.base = base;
        this.size = Math.max(base.size(), lastFileOffset);
    }

    /** Applies one replayed write over everything applied before it. */
    void apply(VhdxLogEntry.Write write) {
        long start = write.fileOffset();
        long end = start + write.length();
        if (end == start) {
            return;
        }
        Map.Entry<Long, Run> before = runs.lowerEntry(start);
        if (before != null && before.getValue().end() > start) {
            cut(before.getValue(), start, end);
        }
        for (Run run : runs.subMap(start, true, end, false).values().toArray(new Run[0])) {
            cut(run, start, end);
        }
        runs.put(start, new Run(start, end, write.data()));
        size = Math.max(size, end);
    }

    /** Removes {@code [start, end)} from {@code run}, keeping what lies outside. Every run is 4 KiB-aligned. */
    private void cut(Run run, long start, long end) {
        runs.remove(run.start());
        if (run.start() < start) {
            runs.put(run.start(), new Run(run.start(), start, run.data()));
        }
        if (run.end() > end) {
            runs.put(end, new Run(end, run.end(), run.data()));
        }
    }

    @Override
    public Path path() {
        return base.path();
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public void read(long position, ByteBuffer dst) throws IOException {
        int begin = dst.position();
        long end = position + dst.remaining();
        base.read(position, dst.duplicate());
        Map.Entry<Long, Run> first = runs.lowerEntry(position);
        Long from = first != null && first.getValue().end() > position ? first.getKey() : position;
        for (Run run : runs.subMap(from, true, end, false).values()) {
            long s = Math.max(run.start(), position);
            long e = Math.min(run.end(), end);
            ByteBuffer target = dst.duplicate();
            target.position(begin + (int) (s - position));
            if (run.data() == null) {
                for (long n = e - s; n > 0; n--) {
                    target.put((byte) 0);
                }
            } else {
                // Data runs are whole 4 KiB pages: writes and cuts are all 4 KiB-aligned.
                target.put(run.data(), (int) (s - run.start()), (int) (e - s));
            }
        }
        dst.position(begin + (int) (end - position));
    }

    @Override
    public void close() throws IOException {
        base.close();
    }
}
