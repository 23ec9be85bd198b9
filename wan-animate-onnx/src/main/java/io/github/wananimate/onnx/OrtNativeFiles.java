package io.github.wananimate.onnx;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The native libraries ONNX Runtime's Java binding extracts. ORT 1.23 copies its provider libraries (and, without
 * {@code onnxruntime.native.path}, the runtime itself, 23 MB) into a fresh {@code java.io.tmpdir/onnxruntime-java<N>}
 * per process and only marks them {@code deleteOnExit}, the folder before its files, so every run leaves an empty
 * folder, and a killed run the libraries. This class, the one way the SDK obtains the {@link OrtEnvironment}:
 * <ul>
 *   <li>marks this process's folder with {@value #OWNER_FILE} (its pid) and deletes the folder when the JVM exits;
 *   <li>before loading, deletes the folders of earlier runs whose marked process is gone, and unmarked empty ones
 *       older than {@link #STALE_EMPTY} (left by ORT itself).
 * </ul>
 * The folder is found through ORT's private {@code OnnxRuntime.tempDirectory}; when that is not readable (another
 * ORT version), nothing is marked and only the empty-folder rule applies.
 */
public final class OrtNativeFiles {

    private static final Logger LOG = LoggerFactory.getLogger(OrtNativeFiles.class);
    static final String PREFIX = "onnxruntime-java";
    static final String OWNER_FILE = "wan-animate.pid";
    static final Duration STALE_EMPTY = Duration.ofDays(1);
    private static boolean prepared;

    private OrtNativeFiles() {
    }

    /** {@link OrtEnvironment#getEnvironment()}, with the extraction folder looked after (see the class comment). */
    public static synchronized OrtEnvironment environment() {
        if (!prepared) {
            prepared = true;
            removeStale(Path.of(System.getProperty("java.io.tmpdir")), Instant.now());
            OrtEnvironment env = OrtEnvironment.getEnvironment();
            Path own = extractionFolder();
            if (own != null) {
                mark(own);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(own), "wan-animate-ort-cleanup"));
            }
            return env;
        }
        return OrtEnvironment.getEnvironment();
    }

    /** Deletes the stale ORT extraction folders under {@code tmp}; returns how many. */
    static int removeStale(Path tmp, Instant now) {
        int removed = 0;
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(tmp, PREFIX + "*")) {
            for (Path dir : dirs) {
                if (Files.isDirectory(dir) && !Files.isSymbolicLink(dir) && isStale(dir, now)) {
                    deleteTree(dir);
                    removed += Files.exists(dir) ? 0 : 1;
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot scan {} for stale ONNX Runtime folders: {}", tmp, e.toString());
        }
        if (removed > 0) {
            LOG.info("removed {} ONNX Runtime library folder(s) left in {} by earlier runs", removed, tmp);
        }
        return removed;
    }

    private static boolean isStale(Path dir, Instant now) throws IOException {
        Path owner = dir.resolve(OWNER_FILE);
        if (Files.isRegularFile(owner)) {
            try {
                long pid = Long.parseLong(Files.readString(owner, StandardCharsets.US_ASCII).strip());
                return pid != ProcessHandle.current().pid()
                        && !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
            } catch (NumberFormatException e) {
                return false;
            }
        }
        try (Stream<Path> entries = Files.list(dir)) {
            if (entries.findAny().isPresent()) {
                return false; // not ours to judge: another program's ORT may still use it
            }
        }
        FileTime modified = Files.getLastModifiedTime(dir);
        return modified.toInstant().isBefore(now.minus(STALE_EMPTY));
    }

    private static Path extractionFolder() {
        try {
            Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
            Field field = runtime.getDeclaredField("tempDirectory");
            field.setAccessible(true);
            return field.get(null) instanceof Path p && Files.isDirectory(p) ? p : null;
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.debug("cannot find ONNX Runtime's extraction folder: {}", e.toString());
            return null;
        }
    }

    private static void mark(Path dir) {
        try {
            Files.writeString(dir.resolve(OWNER_FILE), Long.toString(ProcessHandle.current().pid()),
                    StandardCharsets.US_ASCII);
        } catch (IOException e) {
            LOG.debug("cannot mark {}: {}", dir, e.toString());
        }
    }

    static void deleteTree(Path dir) {
        try (Stream<Path> all = Files.walk(dir)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException ignored) {
                    // best effort: the next run retries
                }
            });
        } catch (IOException | RuntimeException ignored) {
            // best effort
        }
    }
}
