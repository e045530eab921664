package io.lunport.iscsi.login;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Slows down guessing: every failed authentication or authorization from a source address
 * doubles the time before that address hears the failure, from {@link #FIRST_DELAY} up to
 * {@link #MAX_DELAY}. A successful login from the address forgets its failures; so does a
 * quiet {@link #FORGET_AFTER}. The caller waits by scheduling, never by sleeping.
 *
 * <p>Memory is bounded: at most {@link #MAX_ADDRESSES} addresses are remembered (an attacker
 * with many addresses evicts old entries, it cannot grow the table). Thread-safe.
 */
public final class LoginThrottle {

    static final Duration FIRST_DELAY = Duration.ofMillis(100);
    static final Duration MAX_DELAY = Duration.ofSeconds(4);
    static final Duration FORGET_AFTER = Duration.ofMinutes(15);
    static final int MAX_ADDRESSES = 16_384;

    private final Cache<InetAddress, AtomicInteger> failures = Caffeine.newBuilder()
            .maximumSize(MAX_ADDRESSES)
            .expireAfterWrite(FORGET_AFTER)
            .build();

    /** Records a failure from {@code source}; returns the failures so far from there, this one included. */
    public int failed(InetAddress source) {
        AtomicInteger count = failures.get(source, a -> new AtomicInteger());
        int n = count.incrementAndGet();
        failures.put(source, count); // restarts the quiet period
        return n;
    }

    /** A successful login: the address starts afresh. */
    public void succeeded(InetAddress source) {
        failures.invalidate(source);
    }

    /** How long to hold back the answer to the {@code n}th failure in a row. */
    public static Duration delayFor(int n) {
        if (n <= 0) {
            return Duration.ZERO;
        }
        int doublings = Math.min(n - 1, 16);
        Duration delay = FIRST_DELAY.multipliedBy(1L << doublings);
        return delay.compareTo(MAX_DELAY) > 0 ? MAX_DELAY : delay;
    }
}
