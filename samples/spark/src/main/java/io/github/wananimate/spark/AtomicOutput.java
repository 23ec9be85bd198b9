package io.github.wananimate.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One row's output on a Hadoop {@link FileSystem} (local, HDFS, S3A…) — its video, or its preprocessed signals
 * folder — written so that its final name only ever holds a complete output, and once.
 *
 * <p>An attempt uploads its output as {@code .<name>.attempt-<task attempt id>.tmp} next to the target and renames
 * it into place, then writes the marker {@code .<name>.done} (the row's id, the output's byte length — a folder's
 * is the sum of its files' —, frames, fps, seed, backend and device). <b>Complete</b> means: the marker exists,
 * parses, and the target's length equals the length it records. A re-run skips complete rows; anything else is rendered again and replaces what is there. After
 * its rename an attempt deletes the temporary files of earlier attempts (a killed executor cannot clean up after
 * itself), so a retried row leaves exactly one video. Names starting with a dot are hidden from Hadoop and Spark
 * input listings.
 *
 * <p>Speculative twins: both produce the same output (same request, same seed); the one that finds the target complete
 * just before its rename discards its own copy.
 */
final class AtomicOutput {

    private static final Logger LOG = LoggerFactory.getLogger(AtomicOutput.class);
    private static final String TEMP_SUFFIX = ".tmp";
    private static final String MARKER_SUFFIX = ".done";

    /**
     * What the marker records.
     *
     * @param bytes the output's length
     */
    record Marker(String id, long bytes, int frames, double fps, int width, int height, long seed, String backend,
            String device) {
    }

    private final FileSystem fs;
    private final Path target;
    private final Path marker;

    AtomicOutput(String uri, Configuration conf) throws IOException {
        Path path = new Path(uri);
        this.fs = path.getFileSystem(conf);
        // the local file system would write a .crc file beside every file; the video has its own integrity check
        fs.setWriteChecksum(false);
        this.target = fs.makeQualified(path);
        this.marker = new Path(target.getParent(), "." + target.getName() + MARKER_SUFFIX);
    }

    Path target() {
        return target;
    }

    /** The marker of a complete output, or empty when the target is missing, unmarked or of another length. */
    Optional<Marker> complete() throws IOException {
        Marker m = readMarker();
        if (m == null) {
            return Optional.empty();
        }
        try {
            return length() == m.bytes() ? Optional.of(m) : Optional.empty();
        } catch (FileNotFoundException e) {
            return Optional.empty();
        }
    }

    /** The target's byte length; a folder's is the sum of its files'. */
    private long length() throws IOException {
        FileStatus status = fs.getFileStatus(target);
        return status.isFile() ? status.getLen() : fs.getContentSummary(target).getLength();
    }

    /** The temporary name of task attempt {@code attemptId}. */
    Path temp(long attemptId) {
        return new Path(target.getParent(), "." + target.getName() + ".attempt-" + attemptId + TEMP_SUFFIX);
    }

    /** Copies the finished local file or folder to {@code temp} (replacing one left by the same attempt id). */
    void upload(java.nio.file.Path local, Path temp) throws IOException {
        fs.mkdirs(target.getParent());
        fs.delete(temp, true);
        fs.copyFromLocalFile(false, true, new Path(local.toUri()), temp);
    }

    /**
     * Moves {@code temp} into place and marks it complete (the marker's {@code bytes} are taken from the file).
     *
     * @return the marker now in force: this attempt's, or that of a twin attempt that committed first
     */
    Marker commit(Path temp, Marker written) throws IOException {
        Optional<Marker> already = complete();
        if (already.isPresent()) {
            LOG.info("{} was completed by another attempt; discarding {}", target, temp);
            fs.delete(temp, true);
            return already.get();
        }
        if (fs.exists(target) && !fs.delete(target, true)) {
            throw new IOException("cannot replace the incomplete output " + target);
        }
        if (!fs.rename(temp, target)) {
            Optional<Marker> raced = complete();
            if (raced.isPresent()) {
                fs.delete(temp, true);
                return raced.get();
            }
            throw new IOException("cannot rename " + temp + " to " + target);
        }
        Marker m = new Marker(written.id(), length(), written.frames(), written.fps(),
                written.width(), written.height(), written.seed(), written.backend(), written.device());
        writeMarker(m);
        sweepTemps();
        return m;
    }

    /** Deletes the temporary files every attempt of this output may have left. */
    void sweepTemps() throws IOException {
        String prefix = "." + target.getName() + ".attempt-";
        FileStatus[] leftovers = fs.listStatus(target.getParent(),
                p -> p.getName().startsWith(prefix) && p.getName().endsWith(TEMP_SUFFIX));
        for (FileStatus f : leftovers) {
            LOG.info("deleting {}, left by an earlier attempt", f.getPath());
            fs.delete(f.getPath(), true);
        }
    }

    private void writeMarker(Marker m) throws IOException {
        Properties p = new Properties();
        p.setProperty("id", m.id());
        p.setProperty("bytes", Long.toString(m.bytes()));
        p.setProperty("frames", Integer.toString(m.frames()));
        p.setProperty("fps", Double.toString(m.fps()));
        p.setProperty("width", Integer.toString(m.width()));
        p.setProperty("height", Integer.toString(m.height()));
        p.setProperty("seed", Long.toString(m.seed()));
        p.setProperty("backend", m.backend());
        p.setProperty("device", m.device());
        try (OutputStream out = fs.create(marker, true)) {
            p.store(out, "wan-animate-spark: " + target.getName() + " is complete");
        }
    }

    /** The marker, or null when it is absent or unreadable (a half-written marker means: not complete). */
    private Marker readMarker() throws IOException {
        Properties p = new Properties();
        try (InputStream in = fs.open(marker)) {
            p.load(in);
        } catch (FileNotFoundException e) {
            return null;
        }
        try {
            return new Marker(p.getProperty("id"), Long.parseLong(p.getProperty("bytes")),
                    Integer.parseInt(p.getProperty("frames")), Double.parseDouble(p.getProperty("fps")),
                    Integer.parseInt(p.getProperty("width")), Integer.parseInt(p.getProperty("height")),
                    Long.parseLong(p.getProperty("seed")), p.getProperty("backend"), p.getProperty("device"));
        } catch (RuntimeException e) {
            LOG.warn("ignoring the unreadable marker {}: {}", marker, e.toString());
            return null;
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s (marker %s)", target, marker.getName());
    }
}
