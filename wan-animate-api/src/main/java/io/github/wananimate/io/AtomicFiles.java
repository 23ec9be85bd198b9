package io.github.wananimate.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writing a file so that its final name only ever holds a complete file: write a hidden sibling, then move it into
 * place. Used by every writer of the SDK (checkpoints, text-embedding cache, videos, images, keypoint files), so a
 * failed or cancelled job never leaves a half-written output.
 *
 * <p>The sibling is named {@code .<name>.wan-partial-<pid>-<random><suffix>} (e.g.
 * {@code .out.mp4.wan-partial-4711-829301.part.mp4}), so it is recognisable and says which process writes it.
 * Siblings still present when the JVM exits (a SIGTERM, {@code System.exit} during a write) are deleted by one
 * shutdown hook; those of a killed process (SIGKILL, power loss) are removed by the next {@link #createSibling} for
 * the same target, once their process is gone.
 */
public final class AtomicFiles {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);
    /** The marker between the target's name and the writer's pid in a sibling's name. */
    static final String MARKER = ".wan-partial-";
    private static final Set<Path> LIVE = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> LIVE.forEach(AtomicFiles::deleteQuietly),
                "wan-animate-partial-file-cleanup"));
    }

    private AtomicFiles() {
    }

    /**
     * Creates an empty hidden sibling of {@code target} (its folder is created if needed) to write into, after
     * removing stale siblings of the same target left by processes that no longer run.
     */
    public static Path createSibling(Path target, String suffix) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        removeStaleSiblings(absolute);
        Path sibling = Files.createTempFile(dir, "." + absolute.getFileName() + MARKER + ProcessHandle.current().pid()
                + "-", suffix);
        LIVE.add(sibling);
        return sibling;
    }

    /**
     * Deletes the partial siblings of {@code target} whose writing process is gone (not this one, not a running
     * one); returns the deleted files.
     */
    public static List<Path> removeStaleSiblings(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        Pattern own = Pattern.compile(Pattern.quote("." + absolute.getFileName() + MARKER) + "(\\d+)-.*");
        List<Path> removed = new ArrayList<>();
        Path dir = absolute.getParent();
        if (!Files.isDirectory(dir)) {
            return removed;
        }
        try (DirectoryStream<Path> siblings = Files.newDirectoryStream(dir, "." + globEscape(absolute.getFileName()
                .toString()) + MARKER + "*")) {
            for (Path sibling : siblings) {
                Matcher m = own.matcher(sibling.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(sibling)) {
                    continue;
                }
                long pid;
                try {
                    pid = Long.parseLong(m.group(1));
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).map(ProcessHandle::isAlive)
                        .orElse(false)) {
                    continue; // another running job writes this target right now
                }
                if (pid == ProcessHandle.current().pid() && LIVE.contains(sibling)) {
                    continue;
                }
                if (Files.deleteIfExists(sibling)) {
                    LOG.info("removed {}, a partial file left by an earlier run (process {}) that did not finish",
                            sibling, pid);
                    removed.add(sibling);
                }
            }
        }
        return removed;
    }

    /**
     * Checks before any work that {@code target} can be written: not a directory, and its folder (created if
     * missing) takes a new file (a sibling is created and deleted).
     *
     * @return whether the folder had to be created
     * @throws IOException naming the target and what is wrong
     */
    public static boolean checkWritable(Path target) throws IOException {
        Path absolute = target.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            throw new IOException(target + " is a directory; give a file name for the output");
        }
        if (Files.exists(absolute) && !Files.isWritable(absolute)) {
            throw new IOException(target + " exists and cannot be replaced (permissions)");
        }
        boolean created = !Files.isDirectory(absolute.getParent());
        Path probe;
        try {
            probe = createSibling(absolute, ".probe");
        } catch (IOException e) {
            throw new IOException("cannot write " + target + ": " + e, e);
        }
        deleteQuietly(probe);
        return created;
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
        LIVE.remove(sibling);
    }

    /** Best-effort removal of a temporary sibling after a failure (the failure itself is what the caller reports). */
    public static void deleteQuietly(Path sibling) {
        if (sibling == null) {
            return;
        }
        try {
            Files.deleteIfExists(sibling);
            LIVE.remove(sibling);
        } catch (IOException ignored) {
            // a leftover hidden temporary is harmless: the target was never touched, and the next run removes it
        }
    }

    private static String globEscape(String name) {
        return name.replaceAll("([\\\\*?\\[\\]{}])", "\\\\$1");
    }
}
