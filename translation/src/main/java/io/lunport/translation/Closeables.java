package io.lunport.translation;

import java.io.IOException;

/**
 * Closing several resources as one: each is closed even when one before it failed, so that no
 * file stays open because its neighbour could not close, and the caller still sees one
 * exception, the first failure, with the later ones suppressed into it.
 */
public final class Closeables {

    private Closeables() {
    }

    /** Closes each resource that is not null, in order; throws the first failure after all were tried. */
    public static void closeAll(Iterable<? extends AutoCloseable> resources) throws IOException {
        closeAll(null, resources);
    }

    /**
     * As {@link #closeAll(Iterable)}, for a caller that already has a failure of its own
     * ({@code first}, or null): that one is thrown, with the closing failures suppressed into it.
     */
    public static void closeAll(IOException first, Iterable<? extends AutoCloseable> resources) throws IOException {
        IOException failure = first;
        for (AutoCloseable resource : resources) {
            if (resource == null) {
                continue;
            }
            try {
                resource.close();
            } catch (Exception e) {
                if (failure == null) {
                    failure = e instanceof IOException io ? io : new IOException("closing " + resource + " failed", e);
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }
}
