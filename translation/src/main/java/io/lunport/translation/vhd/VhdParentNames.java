package io.lunport.translation.vhd;

import io.lunport.translation.ImageFormatException;
import io.lunport.translation.blockmap.ImageFile;
import io.lunport.translation.blockmap.ParentPaths;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a differencing disk's parent: the spellings of its path in the parent locators
 * (relative first, as Windows tries them), then the bare parent name from the header. Windows
 * paths become local ones: backslashes turn into slashes, and a drive-letter path that does
 * not exist here is tried by its file name next to the child ({@link ParentPaths}).
 */
final class VhdParentNames {

    /** No real path is longer; a larger length field is corrupt. */
    private static final int MAX_LOCATOR_BYTES = 64 * 1024;

    private VhdParentNames() {
    }

    /** The first candidate that names an existing file, else the first candidate (so the open fails naming it). */
    static String choose(ImageFile file, VhdDynamicHeader header) throws IOException {
        List<String> stored = new ArrayList<>();
        for (String code : List.of("W2ru", "Wi2r", "W2ku", "Wi2k", "MacX")) {
            for (VhdParentLocator locator : header.parentLocators()) {
                if (locator.isUsed() && locator.platformCode().equals(code)) {
                    stored.add(decode(file, locator));
                }
            }
        }
        stored.add(header.parentName());
        List<String> candidates = ParentPaths.localCandidates(stored);
        if (candidates.isEmpty()) {
            throw new ImageFormatException(file.path(), 0, "parent locator",
                    "a differencing disk without a parent name or parent locator");
        }
        return ParentPaths.choose(file.path(), candidates);
    }

    private static String decode(ImageFile file, VhdParentLocator locator) throws IOException {
        if (locator.dataLength() < 0 || locator.dataLength() > MAX_LOCATOR_BYTES || locator.dataOffset() < 0
                || locator.dataOffset() > file.size() - locator.dataLength()) {
            throw new ImageFormatException(file.path(), locator.dataOffset(), "parent locator " + locator.platformCode(),
                    locator.dataLength() + " bytes at " + locator.dataOffset() + " do not fit in the file");
        }
        byte[] bytes = file.readBytes(locator.dataOffset(), locator.dataLength());
        Charset charset = switch (locator.platformCode()) {
            case "W2ru", "W2ku" -> StandardCharsets.UTF_16LE;
            case "MacX" -> StandardCharsets.UTF_8;
            default -> StandardCharsets.ISO_8859_1;
        };
        String text = new String(bytes, charset);
        int nul = text.indexOf('\0');
        if (nul >= 0) {
            text = text.substring(0, nul);
        }
        if (locator.platformCode().equals("MacX") && text.startsWith("file://")) {
            text = text.substring("file://".length());
            if (text.startsWith("localhost/")) {
                text = text.substring("localhost".length());
            }
            text = URLDecoder.decode(text, StandardCharsets.UTF_8);
        }
        return text;
    }
}
