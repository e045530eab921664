package io.lunport.iscsi.text;

/** Login or text data that is not a well-formed list of key=value pairs. */
public final class TextFormatException extends Exception {
    public TextFormatException(String message) {
        super(message);
    }
}
