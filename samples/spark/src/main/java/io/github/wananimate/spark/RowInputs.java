package io.github.wananimate.spark;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.samples.Demo;
import io.github.wananimate.video.Frame;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A row's driving signals and character image, read through Hadoop's {@link FileSystem}: local files are read in
 * place, remote ones (HDFS, S3A…) are copied into the task's scratch folder first (the decoders need local files).
 */
final class RowInputs {

    private final Configuration conf;
    private final java.nio.file.Path scratch;

    /** @param scratch a local folder the caller deletes when the task ends */
    RowInputs(Configuration conf, java.nio.file.Path scratch) {
        this.conf = conf;
        this.scratch = scratch;
    }

    /**
     * The signals of {@code job}: the bundled sample (with the mask and background a replacement needs), or the
     * official preprocess folder; with {@code character}, its image replaces the folder's reference.
     *
     * @throws FileNotFoundException naming the missing folder or image
     */
    MotionSignals read(JobSpec job) throws IOException {
        MotionSignals signals = job.demoSignals() ? Demo.signals(job.replacement())
                : new PreprocessFolderReader().read(local(job.signals(), "signals", true));
        if (job.character() == null) {
            return signals;
        }
        RgbImage image = ImageFiles.read(local(job.character(), "character", false));
        MotionSignals.Builder b = MotionSignals.builder().pose(signals.pose()).face(signals.face())
                .reference(Frame.ofRgb(image.width(), image.height(), image.pixels())).fps(signals.fps());
        signals.mask().ifPresent(b::mask);
        signals.background().ifPresent(b::background);
        return b.build();
    }

    /** {@code uri} as a local path: in place on the local file system, else copied into the scratch folder. */
    java.nio.file.Path local(String uri, String column, boolean folder) throws IOException {
        Path path = new Path(uri);
        FileSystem fs = path.getFileSystem(conf);
        FileStatus status;
        try {
            status = fs.getFileStatus(path);
        } catch (FileNotFoundException e) {
            throw new FileNotFoundException(column + " " + (folder ? "folder" : "file") + " not found: " + uri);
        }
        if (status.isDirectory() != folder) {
            throw new FileNotFoundException(column + " " + uri + " is a " + (status.isDirectory() ? "folder" : "file")
                    + ", expected " + (folder ? "an official preprocess folder (src_pose.mp4, src_face.mp4, "
                    + "src_ref.png…) or a video to preprocess" : "a file"));
        }
        if ("file".equals(fs.getScheme())) {
            return java.nio.file.Path.of(fs.makeQualified(path).toUri());
        }
        java.nio.file.Path copy = scratch.resolve(column + "-" + path.getName());
        fs.copyToLocalFile(false, path, new Path(copy.toUri()), true);
        return copy;
    }

    /**
     * {@code uri} as a local path, for what is opened from files on every executor (a model folder, the pose
     * models): a bare path or a {@code file:} URI.
     */
    static java.nio.file.Path localPath(String uri, String what) {
        URI u = URI.create(uri);
        if (u.getScheme() != null && !u.getScheme().equals("file")) {
            throw new IllegalArgumentException(what + " must be local to the executors, got " + uri);
        }
        return java.nio.file.Path.of(u.getPath());
    }
}
