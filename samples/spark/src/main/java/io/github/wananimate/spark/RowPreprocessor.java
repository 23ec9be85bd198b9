package io.github.wananimate.spark;

import io.github.wananimate.preprocess.Preprocessor;
import io.github.wananimate.preprocess.mask.KeypointHullMask;
import io.github.wananimate.preprocess.mask.MaskModel;
import io.github.wananimate.preprocess.pose.PersonDetector;
import io.github.wananimate.preprocess.pose.PoseEstimator;
import io.github.wananimate.preprocess.pose.PoseExtractor;
import io.github.wananimate.preprocess.pose.PoseSource;
import io.github.wananimate.preprocess.pose.SubjectSelection;
import io.github.wananimate.samples.ProcessCheckpoint;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU stage for a row whose {@code signals} is a raw video: the person detector and whole-body pose models turn
 * the video and the character image into an official preprocess folder (as the {@code preprocess} command, with the
 * keypoint-hull mask for replacement), committed like a video ({@link AtomicOutput}) to
 * {@code <out>/preprocessed/<id>/}, so that a re-run reuses it. Failures split as in {@link RowRenderer}: unreadable
 * inputs, missing models and videos the preprocessing rejects are bad rows; a failed upload is retried by Spark.
 */
final class RowPreprocessor {

    private static final Logger LOG = LoggerFactory.getLogger(RowPreprocessor.class);
    /** The folder under the output folder that holds the preprocessed rows. */
    static final String FOLDER = "preprocessed";

    private RowPreprocessor() {
    }

    /**
     * Preprocesses {@code job}'s video into {@code folderUri} unless that folder is already complete.
     *
     * @return an {@code ok} or {@code skipped} result whose output is the folder, or the failed row
     */
    static RenderResult preprocess(JobSpec job, String folderUri, Preprocessing settings, Map<String, String> hadoopConf)
            throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        AtomicOutput output = new AtomicOutput(folderUri, conf);
        Optional<AtomicOutput.Marker> done = output.complete();
        if (done.isPresent()) {
            return result(job, RenderResult.SKIPPED, output, done.get(), 0);
        }
        Path scratch = Files.createTempDirectory("wan-animate-preprocess-");
        try {
            Path folder = scratch.resolve(job.id());
            Preprocessor.Result r;
            long start = System.nanoTime();
            try {
                if (job.character() == null) {
                    throw new IllegalArgumentException("row " + job.id() + ": signals " + job.signals() + " is a video;"
                            + " preprocessing it needs the character image (column character)");
                }
                RowInputs inputs = new RowInputs(conf, scratch);
                Path video = inputs.local(job.signals(), "signals", false);
                Path character = inputs.local(job.character(), "character", false);
                r = run(job, video, character, folder, settings);
            } catch (IOException | RuntimeException e) {
                LOG.warn("row {} rejected by preprocessing: {}", job.id(), e.toString());
                return RenderResult.failed(job.id(), output.target().toString(), job.seed(), "cpu", e);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            TaskContext task = TaskContext.get();
            org.apache.hadoop.fs.Path temp = output.temp(task != null ? task.taskAttemptId() : 0);
            output.upload(folder, temp);
            AtomicOutput.Marker m = output.commit(temp, new AtomicOutput.Marker(job.id(), 0, r.frames(), r.fps(),
                    r.width(), r.height(), job.seed(), "preprocess", "cpu"));
            return result(job, RenderResult.OK, output, m, seconds);
        } finally {
            RowRenderer.deleteRecursively(scratch);
        }
    }

    private static Preprocessor.Result run(JobSpec job, Path video, Path character, Path folder, Preprocessing settings)
            throws IOException {
        Path models = RowInputs.localPath(settings.poseModels(), "the pose models folder");
        Path detectorFile = models.resolve(ProcessCheckpoint.DETECTOR);
        Path poseFile = models.resolve(ProcessCheckpoint.POSE_MODEL);
        for (Path f : new Path[] {detectorFile, poseFile}) {
            if (!Files.isRegularFile(f)) {
                throw new FileNotFoundException("pose model not found: " + f + " (--pose-models must be the "
                        + "process_checkpoint folder with " + ProcessCheckpoint.DETECTOR + " and "
                        + ProcessCheckpoint.POSE_MODEL + ")");
            }
        }
        Preprocessor.Options options = Preprocessor.Options.defaults().withFps(settings.fps())
                .withArea(settings.area());
        try (PersonDetector detector = new PersonDetector(detectorFile, 0);
                PoseEstimator estimator = new PoseEstimator(poseFile, 0, PoseEstimator.ChannelOrder.ORIGINAL);
                MaskModel mask = job.replacement() ? new KeypointHullMask() : null) {
            Preprocessor preprocessor = new Preprocessor(img -> PoseExtractor.single(detector, estimator, img),
                    () -> PoseSource.of(new PoseExtractor(detector, estimator, SubjectSelection.official(), false)),
                    options);
            return job.replacement() ? preprocessor.replace(video, character, folder, mask)
                    : preprocessor.animate(video, character, folder);
        }
    }

    private static RenderResult result(JobSpec job, String status, AtomicOutput output, AtomicOutput.Marker m,
            double seconds) {
        return new RenderResult(job.id(), status, output.target().toString(), m.frames(), m.fps(), seconds,
                m.backend(), m.device(), m.seed(), null, null);
    }
}
