package io.lunport.config;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * iSCSI names (RFC 7143 section 4.2.7): the {@code iqn.}, {@code eui.} and {@code naa.}
 * forms, and the contract that a LUN given as {@code --lun NAME=PATH} is served as target
 * {@code iqn.2026-11.io.lunport:NAME}.
 */
public final class IscsiName {

    /** The naming authority prefix of every target lunport names itself. */
    public static final String LUNPORT_PREFIX = "iqn.2026-11.io.lunport:";

    /** RFC 7143 caps an iSCSI name at 223 bytes. */
    public static final int MAX_LENGTH = 223;

    private static final Pattern IQN = Pattern.compile("iqn\\.\\d{4}-(0[1-9]|1[0-2])\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[a-z0-9.:\\-]+)?");
    private static final Pattern IQN_DATE = Pattern.compile("iqn\\.\\d{4}-(0[1-9]|1[0-2])\\.");
    private static final Pattern EUI = Pattern.compile("eui\\.[0-9a-f]{16}");
    private static final Pattern NAA = Pattern.compile("naa\\.([0-9a-f]{16}|[0-9a-f]{32})");
    private static final Pattern LUN_NAME = Pattern.compile("[a-z0-9]([a-z0-9.\\-]*[a-z0-9])?");

    private IscsiName() {
    }

    /** Why {@code name} is not a valid iSCSI name, or empty when it is. */
    public static Optional<String> problemWith(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of("an iSCSI name must not be empty");
        }
        if (name.length() > MAX_LENGTH) {
            return Optional.of("an iSCSI name is at most " + MAX_LENGTH + " bytes, this one has " + name.length());
        }
        if (!name.equals(name.toLowerCase(Locale.ROOT))) {
            return Optional.of("iSCSI names are lower case (RFC 7143 normalizes them so): " + name);
        }
        if (IQN.matcher(name).matches() || EUI.matcher(name).matches() || NAA.matcher(name).matches()) {
            return Optional.empty();
        }
        // Say which part is wrong for the form the name starts as.
        if (name.startsWith("iqn.")) {
            String why = !IQN_DATE.matcher(name).lookingAt() ? "iqn. is followed by the year and month yyyy-mm"
                    : "after iqn.yyyy-mm. comes a reversed domain name, then optionally ':' and a string of a-z 0-9 . - :";
            return Optional.of(why + " (RFC 7143): " + name);
        }
        if (name.startsWith("eui.")) {
            return Optional.of("eui. is followed by 16 hex digits (RFC 7143): " + name);
        }
        if (name.startsWith("naa.")) {
            return Optional.of("naa. is followed by 16 or 32 hex digits (RFC 7143): " + name);
        }
        return Optional.of("not an iqn., eui. or naa. name as RFC 7143 defines them: " + name);
    }

    /** The target name for {@code --lun NAME=PATH}. */
    public static String forLunName(String lunName) {
        if (!LUN_NAME.matcher(lunName).matches()) {
            throw new IllegalArgumentException("a LUN name is lower-case letters, digits, '.' and '-' (it becomes part of an iSCSI name): " + lunName);
        }
        return LUNPORT_PREFIX + lunName;
    }
}
