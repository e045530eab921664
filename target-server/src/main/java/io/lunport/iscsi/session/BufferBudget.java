package io.lunport.iscsi.session;

/**
 * The payload memory (data-out and data-in buffers) one connection may hold at once. A
 * command reserves what its buffer will take before the buffer is allocated and gives it
 * back when it ends, so what an initiator claims in headers never turns into memory beyond
 * this bound. One command is always let through when nothing else holds memory, so a
 * command as large as the budget still runs.
 *
 * <p>Not thread-safe: used on the connection's event loop.
 */
final class BufferBudget {

    private final long limit;
    private long held;

    BufferBudget(long limit) {
        this.limit = limit;
    }

    /** Reserves {@code bytes} for {@code command} (adding to what it holds); false when they are not there. */
    boolean tryReserve(ScsiCommand command, long bytes) {
        if (held > 0 && held + bytes > limit) {
            return false;
        }
        held += bytes;
        command.reservedPayload += bytes;
        return true;
    }

    /** Gives back everything {@code command} reserved. */
    void release(ScsiCommand command) {
        held -= command.reservedPayload;
        command.reservedPayload = 0;
    }

    long held() {
        return held;
    }
}
