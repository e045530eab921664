package io.lunport.scsi;

/**
 * The current values of the changeable mode parameters of one logical unit. Only WCE is
 * changeable: the other page fields describe fixed behaviour of lunport.
 *
 * <p>Not saved: SP=1 is refused, and a reset returns to the defaults.
 *
 * <p>Thread-safety: a volatile field; the write path reads it once per command.
 */
public final class ModeParameters {

    public static final boolean DEFAULT_WRITE_CACHE_ENABLED = true;

    private volatile boolean writeCacheEnabled = DEFAULT_WRITE_CACHE_ENABLED;

    /** WCE in the caching page. When clear, every write is done with force unit access. */
    public boolean writeCacheEnabled() {
        return writeCacheEnabled;
    }

    public void setWriteCacheEnabled(boolean enabled) {
        writeCacheEnabled = enabled;
    }

    public void resetToDefaults() {
        writeCacheEnabled = DEFAULT_WRITE_CACHE_ENABLED;
    }
}
