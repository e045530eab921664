package io.lunport.translation;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Building extent lists: readers append runs as they walk their tables, adjacent runs of
 * one kind merge, and what a layer leaves unallocated is filled in from its backing source,
 * so that {@link BlockSource#extents} always describes the chain as seen through the top.
 */
public final class Extents {

    private final List<Extent> runs = new ArrayList<>();

    /** Appends a run right after the previous one, merging it when the kind is the same. */
    public Extents add(long offset, long length, Extent.Kind kind) {
        if (length <= 0) {
            return this;
        }
        if (!runs.isEmpty()) {
            Extent last = runs.get(runs.size() - 1);
            if (last.end() != offset) {
                throw new IllegalArgumentException("extent at " + offset + " does not follow " + last);
            }
            if (last.kind() == kind) {
                runs.set(runs.size() - 1, new Extent(last.offset(), last.length() + length, kind));
                return this;
            }
        }
        runs.add(new Extent(offset, length, kind));
        return this;
    }

    public List<Extent> build() {
        return List.copyOf(runs);
    }

    /** The parts of {@code runs} (in order, as extents() lists them) inside {@code [offset, offset + length)}. */
    public static List<Extent> within(List<Extent> runs, long offset, long length) {
        Extents cut = new Extents();
        for (Extent e : runs) {
            long from = Math.max(offset, e.offset());
            long to = Math.min(offset + length, e.end());
            if (from < to) {
                cut.add(from, to - from, e.kind());
            }
        }
        return cut.build();
    }

    /**
     * Replaces every UNALLOCATED run of {@code own} by what {@code backing} reports for it
     * (when there is a backing source). Runs past the backing's end stay UNALLOCATED.
     */
    public static List<Extent> throughBacking(List<Extent> own, BlockSource backing) throws IOException {
        if (backing == null) {
            return own;
        }
        Extents merged = new Extents();
        for (Extent run : own) {
            if (run.kind() != Extent.Kind.UNALLOCATED) {
                merged.add(run.offset(), run.length(), run.kind());
                continue;
            }
            long inBacking = Math.max(0, Math.min(run.end(), backing.size()) - run.offset());
            if (inBacking > 0) {
                for (Extent b : backing.extents(run.offset(), inBacking)) {
                    merged.add(b.offset(), b.length(), b.kind());
                }
            }
            merged.add(run.offset() + inBacking, run.length() - inBacking, Extent.Kind.UNALLOCATED);
        }
        return merged.build();
    }
}
