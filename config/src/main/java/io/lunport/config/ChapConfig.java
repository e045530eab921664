package io.lunport.config;

/**
 * A CHAP user and secret as configured. The secret never appears in {@code toString}, in a
 * message or in a log line.
 *
 * @param origin where the credentials were given (the {@code chap:} key or a flag)
 */
public record ChapConfig(String user, String secret, Origin origin) {

    /** The shortest secret (bytes) the Microsoft initiator accepts. */
    public static final int MIN_SECRET_LENGTH = 12;
    /** The longest secret (bytes) the Microsoft initiator accepts. */
    public static final int MAX_PORTABLE_SECRET_LENGTH = 16;

    /**
     * The Microsoft initiator takes secrets of 12 to 16 bytes (MS-VDS VDS_ISCSI_SHARED_SECRET):
     * a shorter one is refused here, a longer one draws a warning, since other initiators
     * accept it.
     */
    public static java.util.Optional<ConfigProblem> secretLengthProblem(String secret, Origin at) {
        int bytes = secret.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes < MIN_SECRET_LENGTH) {
            return java.util.Optional.of(ConfigProblem.error(at, "a CHAP secret needs at least " + MIN_SECRET_LENGTH
                    + " bytes, this one has " + bytes));
        }
        if (bytes > MAX_PORTABLE_SECRET_LENGTH) {
            return java.util.Optional.of(ConfigProblem.warning(at, "a CHAP secret of " + bytes
                    + " bytes is refused by the Microsoft initiator (at most " + MAX_PORTABLE_SECRET_LENGTH + ")"));
        }
        return java.util.Optional.empty();
    }

    @Override
    public String toString() {
        return "ChapConfig[user=" + user + ", origin=" + origin + "]";
    }
}
