package io.lunport.translation.blockmap;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the parent paths a differencing disk stores (often written on Windows) into names
 * to try here: backslashes become slashes, a leading ".\" goes, and a drive-letter or UNC
 * path, which cannot exist on this host, is tried by its file name next to the child.
 */
public final class ParentPaths {

    private ParentPaths() {
    }

    /** Local spellings of {@code stored}, in order, without blanks or repeats. */
    public static List<String> localCandidates(List<String> stored) {
        List<String> names = new ArrayList<>();
        for (String name : stored) {
            if (name == null || name.isBlank()) {
                continue;
            }
            String local = name.replace('\\', '/');
            while (local.startsWith("./")) {
                local = local.substring(2);
            }
            if (local.matches("^[A-Za-z]:/.*") || local.startsWith("//")) {
                local = local.substring(local.lastIndexOf('/') + 1);
            }
            if (!local.isEmpty() && !names.contains(local)) {
                names.add(local);
            }
        }
        return names;
    }

    /** The first candidate naming an existing file (relative ones resolve against the child's folder), else the first. */
    public static String choose(Path child, List<String> candidates) {
        for (String candidate : candidates) {
            Path p = Path.of(candidate);
            if (Files.exists(p.isAbsolute() ? p : child.toAbsolutePath().getParent().resolve(p))) {
                return candidate;
            }
        }
        return candidates.get(0);
    }
}
