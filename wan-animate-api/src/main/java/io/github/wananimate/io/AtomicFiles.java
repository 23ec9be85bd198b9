package io.github.wananimate.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writing a file so that its final name only ever holds a complete file: write a hidden sibling, then move it into
 * place. Used by every writer of the SDK (checkpoints, text-embedding cache, videos, images, keypoint files), so a
 * failed or cancelled job never leaves a half-written output.
 */
public final class AtomicFiles {

    private AtomicFiles() {
    }

    /** Creates an empty hidden sibling of {@code target} (its folder is created if needed) to write into. */
    public static Path createSibling(Path target, String suffix) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        return Files.createTempFile(dir, "." + absolute.getFileName() + ".", suffix);
    }

    /**
     * Moves the finished {@code sibling} onto {@code target} (atomically where the file system can), replacing any
     * older file. The temporary file was private to its owner; the result gets the usual {@code rw-r--r--}.
     */
    public static void moveIntoPlace(Path sibling, Path target) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(sibling, PosixFileAttributeView.class);
        if (posix != null) {
            posix.setPermissions(PosixFilePermissions.fromString("rw-r--r--"));
        }
        try {
            Files.move(sibling, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(sibling, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Best-effort removal of a temporary sibling after a failure (the failure itself is what the caller reports). */
    public static void deleteQuietly(Path sibling) {
        if (sibling == null) {
            return;
        }
        try {
            Files.deleteIfExists(sibling);
        } catch (IOException ignored) {
            // a leftover hidden temporary is harmless: the target was never touched
        }
    }
}
