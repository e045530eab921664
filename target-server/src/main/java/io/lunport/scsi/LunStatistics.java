package io.lunport.scsi;

/**
 * What the command set reports about one logical unit while it serves commands: the hook
 * through which the server counts I/O without the SCSI layer knowing how it is exported.
 *
 * <p>Hot path contract: every method is called on worker threads, by many at once, once or
 * twice per command. Implementations must be thread-safe, must not block beyond a short
 * critical section, and must allocate nothing.
 */
public interface LunStatistics {

    /** Reports nothing: a logical unit without statistics (unit tests, tools). */
    LunStatistics NONE = new LunStatistics() {
        @Override
        public void commandStarted() {
        }

        @Override
        public void commandEnded(int senseKey) {
        }

        @Override
        public void read(long bytes, long nanos) {
        }

        @Override
        public void written(long bytes, long nanos) {
        }
    };

    /** Reported for a command that ended without CHECK CONDITION. */
    int NO_SENSE_KEY = -1;

    /** A command addressed to this LU starts (it is now in flight). */
    void commandStarted();

    /**
     * The command has ended (no longer in flight).
     *
     * @param senseKey the sense key of its CHECK CONDITION, or {@link #NO_SENSE_KEY}
     */
    void commandEnded(int senseKey);

    /** A READ completed: {@code bytes} moved from the medium in {@code nanos}. */
    void read(long bytes, long nanos);

    /** A WRITE completed: {@code bytes} reached the device in {@code nanos}. */
    void written(long bytes, long nanos);
}
