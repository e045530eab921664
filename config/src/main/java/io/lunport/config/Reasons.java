package io.lunport.config;

import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;

/** The short reason of a file failure, for a one-line message (Java's own text is often just the path). */
final class Reasons {

    private Reasons() {
    }

    static String of(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof java.nio.charset.MalformedInputException || e instanceof java.io.UncheckedIOException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
