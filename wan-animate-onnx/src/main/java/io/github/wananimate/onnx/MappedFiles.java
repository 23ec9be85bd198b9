package io.github.wananimate.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The lines of {@code /proc/self/maps}: which shared libraries this process has loaded, on Linux. */
final class MappedFiles {

    private static final Path MAPS = Path.of("/proc/self/maps");

    private MappedFiles() {
    }

    /** {@return the listing's lines; empty where there is none (not Linux) or it cannot be read} */
    static List<String> lines() {
        if (!Files.isReadable(MAPS)) {
            return List.of();
        }
        try {
            return Files.readAllLines(MAPS);
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** {@return the mapped file's path on a line of the listing; empty for an anonymous mapping} */
    static String path(String line) {
        int slash = line.indexOf('/');
        return slash < 0 ? "" : line.substring(slash);
    }
}
