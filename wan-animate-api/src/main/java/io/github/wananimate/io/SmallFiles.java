package io.github.wananimate.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reading a small text file (a config, a tokenizer) only when it is one: a FIFO, a directory, a device (a link to
 * {@code /dev/zero}) or an oversized file is refused with a message saying which, instead of blocking, running out
 * of memory or being reported as missing.
 */
public final class SmallFiles {

    private SmallFiles() {
    }

    /**
     * Why {@code file} cannot be read as a small regular file of at most {@code maxBytes}, or {@code null} when it
     * can: "no such file", "a directory, not a file", "not a regular file (a FIFO, socket or device)", or its size.
     */
    public static String problem(Path file, long maxBytes) {
        if (!Files.exists(file)) {
            return Files.isSymbolicLink(file) ? "a broken symbolic link" : "no such file";
        }
        if (Files.isDirectory(file)) {
            return "a directory, not a file";
        }
        if (!Files.isRegularFile(file)) {
            return "not a regular file (a FIFO, socket or device)";
        }
        try {
            long size = Files.size(file);
            if (size > maxBytes) {
                return size + " bytes, more than the " + maxBytes + " such a file can have";
            }
        } catch (IOException e) {
            return "unreadable (" + e.getMessage() + ")";
        }
        if (!Files.isReadable(file)) {
            return "not readable (permissions)";
        }
        return null;
    }

    /** The UTF-8 text of {@code file}; an {@link IOException} says what is wrong (see {@link #problem}). */
    public static String readString(Path file, long maxBytes) throws IOException {
        String problem = problem(file, maxBytes);
        if (problem != null) {
            throw problem.equals("no such file") ? new NoSuchFileException(file + ": " + problem)
                    : new IOException(file + ": " + problem);
        }
        try (InputStream in = Files.newInputStream(file)) {
            byte[] bytes = in.readNBytes((int) maxBytes + 1);
            if (bytes.length > maxBytes) {
                throw new IOException(file + ": grew beyond " + maxBytes + " bytes while being read");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }
}
