package io.github.wananimate.samples;

import io.github.wananimate.api.CancellationToken;
import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.Preprocessor;
import io.github.wananimate.preprocess.demo.DemoSample;
import io.github.wananimate.preprocess.folder.PreprocessFolderWriter;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.mask.KeypointHullMask;
import io.github.wananimate.preprocess.mask.MaskModel;
import io.github.wananimate.preprocess.mask.Sam2Mask;
import io.github.wananimate.preprocess.pose.PersonDetector;
import io.github.wananimate.preprocess.pose.PoseEstimator;
import io.github.wananimate.preprocess.pose.PoseExtractor;
import io.github.wananimate.preprocess.pose.PoseSequence;
import io.github.wananimate.preprocess.pose.PoseSource;
import io.github.wananimate.preprocess.pose.SubjectSelection;
import io.github.wananimate.preprocess.video.VideoReader;
import io.github.wananimate.video.Frame;
import io.github.wananimate.video.FrameSequence;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wan-animate preprocess}: the original's {@code preprocess_data.py} (PIPELINE.md §3) on ONNX Runtime —
 * driving video and reference image → the official preprocessing folder ({@code src_pose.mp4},
 * {@code src_face.mp4}, {@code src_ref.png}, and for replacement {@code src_bg.mp4}, {@code src_mask.mp4}) plus the
 * lossless keypoints ({@value Preprocessor#KEYPOINTS_FILE}) — the layout {@code generate.py --src_root_path} and
 * {@code wan-animate animate -i} read. {@code --demo} writes the bundled sample instead.
 */
@Command(name = "preprocess", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Writes driving signals as the official preprocessing folder (src_pose.mp4, src_face.mp4, "
                + "src_ref.png; with --replace also src_bg.mp4 and src_mask.mp4), readable by `wan-animate animate -i` "
                + "and by the original generate.py --src_root_path, and prints a preflight report.",
                "From a video, with the official detector and pose models (ONNX Runtime):",
                "  wan-animate preprocess --video driving.mp4 --reference character.png --models "
                        + "Wan2.2-Animate-14B/process_checkpoint -o sample/ [--retarget]",
                "  wan-animate preprocess --video driving.mp4 --reference character.png --models <dir> -o sample/ "
                        + "--replace [--sam2 <dir>]",
                "From the bundled 13-frame sample:",
                "  wan-animate preprocess --demo -o sample/ && wan-animate animate -i sample/",
                ""})
final class PreprocessCommand implements Callable<Integer> {

    /** Paths inside {@code --models}, as the original's {@code --ckpt_path} (PIPELINE.md §4.3). */
    static final String DETECTOR = ProcessCheckpoint.DETECTOR;
    static final String POSE_MODEL = ProcessCheckpoint.POSE_MODEL;
    /** The preflight summary written by {@code --report}. */
    static final String REPORT_FILE = "preflight.txt";

    @Spec
    CommandSpec spec;

    @Option(names = "--demo", description = "write the bundled sample (pose rendered from its hand-placed keypoints, "
            + "face crops, reference) instead of preprocessing a video")
    boolean demo;

    @Option(names = "--video", paramLabel = "<driving.mp4>", description = "driving video")
    Path video;

    @Option(names = "--reference", paramLabel = "<image>", description = "character image (copied as src_ref.png)")
    Path reference;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "<dir>", description = "folder to write")
    Path output;

    @Option(names = "--models", paramLabel = "<dir>", description = "the process_checkpoint folder: "
            + DETECTOR + " and " + POSE_MODEL)
    Path models;

    @Option(names = "--replace", description = "replacement preprocessing: the driving frames are resized, and "
            + "src_bg.mp4 and src_mask.mp4 are written")
    boolean replace;

    @Option(names = "--sam2", paramLabel = "<dir>", description = "with --replace: folder with a SAM2 ONNX export "
            + "(one *encoder*.onnx and one *decoder*.onnx); default: a keypoint-hull mask that needs no model")
    Path sam2;

    @Option(names = "--retarget", description = "retarget the skeleton to the reference's proportions "
            + "(animation only; ignored with --replace, as in the original)")
    boolean retarget;

    @Option(names = "--fps", defaultValue = "30", paramLabel = "<fps>", description = "preprocessing frame rate; "
            + "-1 keeps the source's (default ${DEFAULT-VALUE})")
    double fps;

    @Option(names = "--resolution-area", defaultValue = "1280*720", paramLabel = "<W*H>", description = "target "
            + "pixel area of the generation size (default ${DEFAULT-VALUE})")
    String resolutionArea;

    @Option(names = "--keypoints", paramLabel = "<file.wpose>", description = "keypoint cache: reused instead of "
            + "running the pose models when it exists, written after the run otherwise")
    Path keypoints;

    @Option(names = "--face-smoothing", defaultValue = "0", paramLabel = "<w>", description = "weight of the previous "
            + "face box (0 = the original's per-frame box, default ${DEFAULT-VALUE})")
    double faceSmoothing;

    @Option(names = "--threads", defaultValue = "0", paramLabel = "<n>", description = "ONNX Runtime intra-op "
            + "threads (0 = its default)")
    int threads;

    @Option(names = "--report", description = "also save the preflight report as " + REPORT_FILE
            + " in the output folder")
    boolean report;

    @Option(names = "--size", defaultValue = "112x64", description = "with --demo: pose (generation) size "
            + "WIDTHxHEIGHT, multiples of 16 (default ${DEFAULT-VALUE})")
    String size;

    @Override
    public Integer call() throws IOException {
        if (demo) {
            if (video != null || reference != null || models != null || keypoints != null) {
                throw new ParameterException(spec.commandLine(),
                        "--demo writes the bundled sample; it takes no --video, --reference, --models or --keypoints");
            }
            return writeDemo();
        }
        if (video == null || reference == null || models == null) {
            throw new ParameterException(spec.commandLine(),
                    "give --video, --reference and --models (or --demo for the bundled sample)");
        }
        if (sam2 != null && !replace) {
            throw new ParameterException(spec.commandLine(), "--sam2 needs --replace");
        }
        long area = parseArea(resolutionArea);
        requireFile(video, "driving video");
        requireFile(reference, "reference image");
        Path detectorFile = modelFile(DETECTOR);
        Path poseFile = modelFile(POSE_MODEL);
        Path[] sam2Files = sam2 != null ? sam2Files(sam2) : null;
        PoseSequence cached = keypoints != null && Files.isRegularFile(keypoints) ? cachedKeypoints() : null;

        PrintWriter out = spec.commandLine().getOut();
        if (retarget && replace) {
            out.println("Note: --retarget is ignored with --replace (the original never retargets in replacement).");
        }
        Preprocessor.Options options = Preprocessor.Options.defaults().withFps(fps).withArea(area)
                .withRetarget(retarget && !replace).withFaceSmoothing(faceSmoothing);
        Preprocessor.Result result;
        try (PersonDetector detector = open(() -> new PersonDetector(detectorFile, threads));
                PoseEstimator estimator = open(() -> new PoseEstimator(poseFile, threads,
                        PoseEstimator.ChannelOrder.ORIGINAL));
                MaskModel mask = !replace ? null : sam2Files != null
                        ? open(() -> new Sam2Mask(sam2Files[0], sam2Files[1], threads)) : new KeypointHullMask()) {
            Supplier<PoseSource> poses = cached != null ? () -> PoseSource.of(cached)
                    : () -> PoseSource.of(new PoseExtractor(detector, estimator, SubjectSelection.official(), false));
            out.printf(Locale.ROOT, "Preprocessing %s (%s) with %s%s%n", video, replace ? "replacement" : "animation",
                    cached != null ? "the keypoints of " + keypoints : "the models in " + models,
                    replace ? ", mask: " + (sam2Files != null ? "SAM2 " + sam2Files[0].getFileName()
                            : "keypoint hull") : "");
            out.flush();
            TerminalProgressBar bar = new TerminalProgressBar(out, System.console() != null, new CancellationToken());
            long start = System.nanoTime();
            String label = replace ? "pose+face+mask" : "pose+face";
            Preprocessor preprocessor = new Preprocessor(img -> PoseExtractor.single(detector, estimator, img), poses,
                    options).withProgress((done, total) -> bar.onFrames(label, done, total,
                            Duration.ofNanos(System.nanoTime() - start)));
            try {
                result = replace ? preprocessor.replace(video, reference, output, mask)
                        : preprocessor.animate(video, reference, output);
            } catch (IllegalStateException e) {
                if (faceSmoothing == 0 && e.getMessage() != null && e.getMessage().contains("empty crop")) {
                    throw new InputRejectedException(e.getMessage().replace("use FaceCropper.smoothed for a fallback",
                            "pass --face-smoothing 0.5 to reuse the previous frame's box"), e);
                }
                throw e;
            }
        }
        if (keypoints != null && cached == null) {
            Path written = output.resolve(Preprocessor.KEYPOINTS_FILE);
            if (!keypoints.toAbsolutePath().normalize().equals(written.toAbsolutePath().normalize())) {
                Files.createDirectories(keypoints.toAbsolutePath().getParent());
                Files.copy(written, keypoints, StandardCopyOption.REPLACE_EXISTING);
            }
        }
        out.printf(Locale.ROOT, "Wrote %s: %d frames of %dx%d at %.3f fps%s, keypoints in %s%n", output,
                result.frames(), result.width(), result.height(), result.fps(),
                replace ? ", with mask and background" : "", keypoints != null ? keypoints : Preprocessor.KEYPOINTS_FILE);
        String summary = result.report().summary();
        out.print(summary);
        if (report) {
            Files.writeString(output.resolve(REPORT_FILE), summary);
            out.println("Report saved as " + output.resolve(REPORT_FILE));
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** "W*H", "WxH" or a plain pixel count. */
    private long parseArea(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).trim().split("[*x]");
        try {
            long area = parts.length == 2 ? Long.parseLong(parts[0].trim()) * Long.parseLong(parts[1].trim())
                    : parts.length == 1 ? Long.parseLong(parts[0].trim()) : -1;
            if (area >= 256) {
                return area;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(spec.commandLine(), "--resolution-area must be W*H (e.g. 1280*720) of at least "
                + "16*16 pixels, got '" + text + "'");
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new InputFileException(what + " not found: " + file);
        }
    }

    private Path modelFile(String relative) {
        Path file = models.resolve(relative);
        if (!Files.isRegularFile(file)) {
            throw new InputFileException("model file not found: expected " + file + " (--models must be the "
                    + "process_checkpoint folder with " + DETECTOR + " and " + POSE_MODEL + ")");
        }
        return file;
    }

    /** The one {@code *encoder*.onnx} and one {@code *decoder*.onnx} of the SAM2 folder. */
    private static Path[] sam2Files(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new InputFileException("SAM2 folder not found: " + dir);
        }
        List<Path> onnx;
        try (Stream<Path> files = Files.list(dir)) {
            onnx = files.filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".onnx")).sorted()
                    .toList();
        }
        Path[] found = new Path[2];
        String[] roles = {"encoder", "decoder"};
        for (int i = 0; i < 2; i++) {
            String role = roles[i];
            List<Path> matches = onnx.stream()
                    .filter(f -> f.getFileName().toString().toLowerCase(Locale.ROOT).contains(role)).toList();
            if (matches.size() != 1) {
                throw new InputFileException("SAM2 " + role + " not found: expected exactly one " + dir.resolve("*"
                        + role + "*.onnx") + ", found " + matches.size() + (matches.isEmpty() ? "" : " " + matches));
            }
            found[i] = matches.get(0);
        }
        return found;
    }

    /** The cached keypoints, checked against the frames the video will give at {@code --fps}. */
    private PoseSequence cachedKeypoints() throws IOException {
        PoseSequence sequence = PoseSequence.read(keypoints);
        try (VideoReader reader = VideoReader.open(video, fps)) {
            if (sequence.size() != reader.frameCount() || Math.abs(sequence.fps() - reader.fps()) > 1e-6) {
                throw new InputFileException(String.format(Locale.ROOT, "keypoint file %s has %d frames at %.3f fps, "
                        + "but %s gives %d frames at %.3f fps: delete it (or name another --keypoints) to recompute",
                        keypoints, sequence.size(), sequence.fps(), video, reader.frameCount(), reader.fps()));
            }
        }
        return sequence;
    }

    /** Model loading failures (corrupt file, wrong format) are file problems, exit code 3. */
    private static <T> T open(Supplier<T> loader) {
        try {
            return loader.get();
        } catch (IllegalArgumentException e) {
            throw new InputFileException(e.getMessage(), e);
        }
    }

    private int writeDemo() throws IOException {
        String[] wh = size.toLowerCase(Locale.ROOT).split("x");
        int width;
        int height;
        try {
            width = Integer.parseInt(wh[0]);
            height = Integer.parseInt(wh[wh.length - 1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT, got '" + size + "'");
        }
        if (wh.length != 2 || width <= 0 || height <= 0 || width % 16 != 0 || height % 16 != 0) {
            throw new IllegalArgumentException("--size must be WIDTHxHEIGHT with multiples of 16, got '" + size + "'");
        }
        DemoSample sample = DemoSample.load(width, height);
        MotionSignals signals = replace ? sample.replacementSignals() : sample.signals();
        try (PreprocessFolderWriter writer = PreprocessFolderWriter.create(output, rgb(signals.reference()), width,
                height, signals.fps(), replace)) {
            for (int i = 0; i < signals.frameCount(); i++) {
                RgbImage pose = rgb(signals.pose().get(i));
                RgbImage face = rgb(signals.face().get(i));
                if (replace) {
                    writer.write(pose, face, rgb(signals.background().get().get(i)),
                            mask(signals.mask().get(), i));
                } else {
                    writer.write(pose, face);
                }
            }
            writer.finish();
        }
        spec.commandLine().getOut().printf(Locale.ROOT, "Wrote %s: %d frames of %dx%d at %.2f fps%s%n", output,
                signals.frameCount(), width, height, signals.fps(), replace ? ", with mask and background" : "");
        return ExitCodes.OK;
    }

    private static RgbImage rgb(Frame frame) {
        return new RgbImage(frame.width(), frame.height(), frame.toRgbBytes());
    }

    private static BinaryMask mask(FrameSequence masks, int index) {
        Frame m = masks.get(index);
        byte[] bits = new byte[m.width() * m.height()];
        for (int y = 0; y < m.height(); y++) {
            for (int x = 0; x < m.width(); x++) {
                bits[y * m.width() + x] = (byte) (m.sample(x, y, 0) >= 128 ? 1 : 0);
            }
        }
        return new BinaryMask(m.width(), m.height(), bits);
    }
}
