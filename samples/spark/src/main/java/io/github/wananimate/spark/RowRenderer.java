package io.github.wananimate.spark;

import io.github.wananimate.api.AnimationRequest;
import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.GenerationRequest;
import io.github.wananimate.api.GenerationResult;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.api.ProgressListener;
import io.github.wananimate.api.ReplacementRequest;
import io.github.wananimate.api.WanAnimate;
import io.github.wananimate.preprocess.video.Mp4FrameSink;
import io.github.wananimate.samples.Demo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.resource.ResourceInformation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Renders one row inside a Spark task.
 *
 * <p>Failures split in two. A row whose inputs cannot be read, whose request is invalid or whose model cannot be
 * opened is a <em>bad row</em>: it comes back as a failed result at once (retrying would fail the same way). A
 * failure while rendering or writing (a native error, an I/O error on the output file system) is thrown, so that
 * Spark retries the task ({@code spark.task.maxFailures}); the driver records the row as failed only when every
 * attempt failed.
 */
final class RowRenderer {

    private static final Logger LOG = LoggerFactory.getLogger(RowRenderer.class);

    /**
     * Test hook: a comma-separated list of row ids whose first task attempt throws after uploading its temporary
     * file, as an executor lost mid-commit would leave it. Only the tests set it.
     */
    static final String FAIL_ONCE_PROPERTY = "wananimate.spark.test.failOnce";
    /** Spark's resource name for GPUs ({@code spark.task.resource.gpu.amount}). */
    static final String GPU_RESOURCE = "gpu";

    private RowRenderer() {
    }

    /**
     * Renders {@code job} unless its output is already complete.
     *
     * @param hadoopConf the driver's Hadoop configuration, as entries
     */
    static RenderResult render(JobSpec job, Map<String, String> hadoopConf) throws IOException {
        Configuration conf = new Configuration(false);
        hadoopConf.forEach(conf::set);
        TaskContext task = TaskContext.get();
        String device = device(job, task);
        AtomicOutput output = new AtomicOutput(job.output(), conf);
        Optional<AtomicOutput.Marker> done = output.complete();
        if (done.isPresent()) {
            AtomicOutput.Marker m = done.get();
            return new RenderResult(job.id(), RenderResult.SKIPPED, output.target().toString(), m.frames(), m.fps(), 0,
                    m.backend(), m.device(), m.seed(), null, null);
        }
        Path scratch = Files.createTempDirectory("wan-animate-spark-");
        try {
            GenerationRequest request;
            WanAnimate model;
            try {
                MotionSignals signals = new RowInputs(conf, scratch).read(job);
                request = request(job, signals);
                model = ExecutorModels.get(new ExecutorModels.Key(job.model(), job.backend(), device,
                        job.precision()));
            } catch (IOException | RuntimeException e) {
                LOG.warn("row {} rejected: {}", job.id(), e.toString());
                return RenderResult.failed(job.id(), output.target().toString(), job.seed(), device, e);
            }
            return renderAndCommit(job, request, model, output, scratch, task);
        } finally {
            deleteRecursively(scratch);
        }
    }

    private static RenderResult renderAndCommit(JobSpec job, GenerationRequest request, WanAnimate model,
            AtomicOutput output, Path scratch, TaskContext task) throws IOException {
        MotionSignals s = request.signals();
        Path video = scratch.resolve("video.mp4");
        long start = System.nanoTime();
        Mp4FrameSink sink = new Mp4FrameSink(video, s.width(), s.height(), request.outputFps(), -1);
        CancellationToken token = new CancellationToken();
        GenerationResult result = request instanceof ReplacementRequest r
                ? model.replace(r, sink, ProgressListener.NONE, token)
                : model.animate((AnimationRequest) request, sink, ProgressListener.NONE, token);
        double seconds = (System.nanoTime() - start) / 1e9;
        if (result.frameCount() != request.frameCount()) {
            throw new IllegalStateException("row " + job.id() + ": rendered " + result.frameCount() + " frames, the "
                    + "driving signals have " + request.frameCount());
        }
        long attemptId = task != null ? task.taskAttemptId() : 0;
        org.apache.hadoop.fs.Path temp = output.temp(attemptId);
        output.upload(video, temp);
        failOnceForTests(job, task);
        AtomicOutput.Marker m = output.commit(temp, new AtomicOutput.Marker(job.id(), 0, result.frameCount(),
                result.fps(), result.width(), result.height(), result.seed(), model.backendName(), model.device()));
        return new RenderResult(job.id(), RenderResult.OK, output.target().toString(), m.frames(), m.fps(), seconds,
                m.backend(), m.device(), m.seed(), null, null);
    }

    /** The row's request: the table's options over the defaults (the demo's clip length and steps on the sample). */
    static GenerationRequest request(JobSpec job, MotionSignals signals) {
        if (job.replacement()) {
            ReplacementRequest.Builder b = ReplacementRequest.builder(signals).relightingLora(job.relight());
            if (job.relightStrength() != null) {
                b.relightingLoraStrength(job.relightStrength());
            }
            return options(b, job, signals);
        }
        return options(AnimationRequest.builder(signals), job, signals);
    }

    private static <R extends GenerationRequest, B extends GenerationRequest.Builder<R, B>> R options(B b,
            JobSpec job, MotionSignals signals) {
        b.clipLength(job.clipLength() != null ? job.clipLength()
                : job.demoSignals() ? Demo.CLIP_LENGTH : GenerationRequest.DEFAULT_CLIP_LENGTH);
        b.steps(job.steps() != null ? job.steps() : job.demoSignals() ? Demo.STEPS : GenerationRequest.DEFAULT_STEPS);
        b.seed(job.seed());
        // the driving frame rate by default, as the CLI: timing and any soundtrack stay in sync
        b.outputFps(job.fps() != null ? job.fps() : signals.fps());
        if (job.refert() != null) {
            b.continuationFrames(job.refert());
        }
        if (job.solver() != null) {
            b.solver(job.solver());
        }
        if (job.shift() != null) {
            b.shift(job.shift());
        }
        if (job.guideScale() != null) {
            b.guideScale(job.guideScale());
        }
        if (job.prompt() != null) {
            b.prompt(job.prompt());
        }
        if (job.negativePrompt() != null) {
            b.negativePrompt(job.negativePrompt());
        }
        return b.build();
    }

    /** The row's device, else the GPU Spark gave this task ({@code cuda:<address>}), else the CPU. */
    static String device(JobSpec job, TaskContext task) {
        if (job.device() != null) {
            return job.device();
        }
        if (task != null) {
            ResourceInformation gpu = task.resourcesJMap().get(GPU_RESOURCE);
            if (gpu != null && gpu.addresses().length > 0) {
                return "cuda:" + gpu.addresses()[0];
            }
        }
        return "cpu";
    }

    private static void failOnceForTests(JobSpec job, TaskContext task) {
        String ids = System.getProperty(FAIL_ONCE_PROPERTY);
        if (ids != null && task != null && task.attemptNumber() == 0 && Arrays.asList(ids.split(",")).contains(job.id())) {
            throw new IllegalStateException("test hook " + FAIL_ONCE_PROPERTY + ": attempt 0 of row " + job.id()
                    + " fails after uploading its temporary file");
        }
    }

    static void deleteRecursively(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("cannot delete the scratch folder {}: {}", folder, e.toString());
        }
    }
}
