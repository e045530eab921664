package io.lunport.server.export;

/** Told when the copy of an export starts and ends: the hook for a progress display. */
public interface ExportListener {

    ExportListener NONE = new ExportListener() {
        @Override
        public void started(CopyCounters counters) {
        }

        @Override
        public void finished() {
        }
    };

    /** The copy begins; {@code counters} move while it runs. */
    void started(CopyCounters counters);

    /** The copy ended, whether it succeeded or not. */
    void finished();
}
