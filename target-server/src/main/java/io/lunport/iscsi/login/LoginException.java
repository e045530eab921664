package io.lunport.iscsi.login;

/** A login that must end with a failure status; the message says why, for the log. */
final class LoginException extends Exception {

    private final LoginStatus status;

    LoginException(LoginStatus status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    LoginStatus status() {
        return status;
    }
}
