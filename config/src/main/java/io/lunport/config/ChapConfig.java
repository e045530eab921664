package io.lunport.config;

/**
 * A CHAP user and secret as configured. The secret never appears in {@code toString}, in a
 * message or in a log line.
 *
 * @param origin where the credentials were given (the {@code chap:} key or a flag)
 */
public record ChapConfig(String user, String secret, Origin origin) {

    /** What the Microsoft initiator (and RFC 7143's advice on CHAP secrets) requires at least. */
    public static final int MIN_SECRET_LENGTH = 12;
    /** The longest secret the Microsoft initiator accepts. */
    public static final int MAX_PORTABLE_SECRET_LENGTH = 16;

    @Override
    public String toString() {
        return "ChapConfig[user=" + user + ", origin=" + origin + "]";
    }
}
