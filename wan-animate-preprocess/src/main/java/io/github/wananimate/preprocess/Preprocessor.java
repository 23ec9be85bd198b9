package io.github.wananimate.preprocess;

import io.github.wananimate.preprocess.face.FaceBox;
import io.github.wananimate.preprocess.face.FaceCropper;
import io.github.wananimate.preprocess.folder.PreprocessFolderWriter;
import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.Resizing;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.BinaryMask;
import io.github.wananimate.preprocess.mask.KeypointHullMask;
import io.github.wananimate.preprocess.mask.MaskModel;
import io.github.wananimate.preprocess.mask.MaskPostprocess;
import io.github.wananimate.preprocess.pose.Person;
import io.github.wananimate.preprocess.pose.PoseFrame;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.PoseSequenceWriter;
import io.github.wananimate.preprocess.pose.PoseSource;
import io.github.wananimate.preprocess.pose.Retargeting;
import io.github.wananimate.preprocess.pose.WholeBody;
import io.github.wananimate.preprocess.render.PoseRenderer;
import io.github.wananimate.preprocess.report.PreflightCollector;
import io.github.wananimate.preprocess.report.PreflightReport;
import io.github.wananimate.preprocess.video.VideoReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The preprocessing chain of {@code preprocess_data.py} (PIPELINE.md §3.1), streaming frame by frame: driving video
 * → keypoints (also written losslessly as {@value #KEYPOINTS_FILE}) → rendered poses, 512×512 face crops and, for
 * replacement, masks and backgrounds → the official folder, plus a {@link PreflightReport}.
 */
public final class Preprocessor {

    private static final Logger LOG = LoggerFactory.getLogger(Preprocessor.class);

    /** The keypoint file written next to the official files. */
    public static final String KEYPOINTS_FILE = "keypoints.wpose";

    /**
     * @param fps preprocessing frame rate; ≤ 0 keeps the source's (the original's −1)
     * @param area target pixel area of {@code resize_by_area}
     * @param retarget retarget the skeleton to the reference's proportions (animation only)
     * @param faceSmoothing 0 for the original's per-frame face box (which fails on a frame without a face), else
     *     the weight of the previous box (see {@link FaceCropper#smoothed})
     * @param mask replacement mask post-processing
     */
    public record Options(double fps, long area, boolean retarget, double faceSmoothing, MaskPostprocess mask) {

        /** The original's defaults: 30 fps, 1280·720, no retargeting, no face smoothing, k = 7 × 3, 1 × 1 grid. */
        public static Options defaults() {
            return new Options(30, Resizing.DEFAULT_AREA, false, 0, MaskPostprocess.defaults());
        }

        public Options withRetarget(boolean on) {
            return new Options(fps, area, on, faceSmoothing, mask);
        }

        public Options withFps(double value) {
            return new Options(value, area, retarget, faceSmoothing, mask);
        }

        public Options withFaceSmoothing(double value) {
            return new Options(fps, area, retarget, value, mask);
        }

        public Options withArea(long value) {
            return new Options(fps, value, retarget, faceSmoothing, mask);
        }
    }

    /** Told after each frame is written; {@code total} is the number of frames the run will write. */
    @FunctionalInterface
    public interface FrameProgress {

        FrameProgress NONE = (done, total) -> { };

        void frameDone(int done, int total);
    }

    /** What a run produced. */
    public record Result(Path folder, int frames, double fps, int width, int height, PreflightReport report) {
    }

    private final Function<RgbImage, PoseFrame> referencePoses;
    private final Supplier<PoseSource> videoPoses;
    private final Options options;
    private final FrameProgress progress;

    /**
     * @param referencePoses the poses of one independent image (the reference), e.g.
     *     {@code img -> PoseExtractor.single(detector, estimator, img)}
     * @param videoPoses a new pose source for each video (sources are stateful when they track)
     */
    public Preprocessor(Function<RgbImage, PoseFrame> referencePoses, Supplier<PoseSource> videoPoses,
            Options options) {
        this(referencePoses, videoPoses, options, FrameProgress.NONE);
    }

    private Preprocessor(Function<RgbImage, PoseFrame> referencePoses, Supplier<PoseSource> videoPoses,
            Options options, FrameProgress progress) {
        this.referencePoses = Objects.requireNonNull(referencePoses, "referencePoses");
        this.videoPoses = Objects.requireNonNull(videoPoses, "videoPoses");
        this.options = Objects.requireNonNull(options, "options");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** The same preprocessor, reporting each written frame to {@code listener}. */
    public Preprocessor withProgress(FrameProgress listener) {
        return new Preprocessor(referencePoses, videoPoses, options, listener);
    }

    /** Animation: the character of {@code reference} performs the motion of {@code video}. */
    public Result animate(Path video, Path reference, Path folder) throws IOException {
        RgbImage ref = ImageFiles.read(reference);
        RgbImage refResized = Resizing.resizeByArea(ref, options.area(), Resizing.DEFAULT_DIVISOR);
        int wr = refResized.width();
        int hr = refResized.height();
        PoseMeta refMeta = subjectMeta(referencePoses.apply(refResized), null);
        PoseSource poses = videoPoses.get();
        FaceCropper cropper = cropper();
        PreflightCollector report = new PreflightCollector();
        try (VideoReader reader = VideoReader.open(video, options.fps());
                PreprocessFolderWriter out = PreprocessFolderWriter.create(folder, reference, wr, hr, reader.fps(),
                        false);
                PoseSequenceWriter keypoints = PoseSequenceWriter.create(folder.resolve(KEYPOINTS_FILE),
                        reader.fps())) {
            Retargeting retargeting = null;
            PoseMeta previous = null;
            int t = 0;
            while (reader.hasNext()) {
                RgbImage frame = reader.next();
                PoseFrame pf = poses.next(frame);
                keypoints.write(pf);
                PoseMeta meta = subjectMeta(pf, previous);
                previous = meta;
                FaceBox faceBox = cropper.nextBox(meta);
                RgbImage face = FaceCropper.crop(frame, faceBox);
                RgbImage pose;
                if (options.retarget()) {
                    if (retargeting == null) {
                        retargeting = new Retargeting(meta, refMeta);
                    }
                    pose = PoseRenderer.render(retargeting.next(meta));
                } else {
                    pose = Resizing.paddingResize(PoseRenderer.render(meta.toPixels()), wr, hr, Interpolation.LINEAR);
                }
                out.write(pose, face);
                report.add(pf, meta, faceBox, null);
                t++;
                progress.frameDone(t, reader.frameCount());
            }
            out.finish();
            keypoints.finish();
            LOG.info("animation preprocessing of {}: {} frames at {} fps, {}x{}", video, t, reader.fps(), wr, hr);
            PreflightReport preflight = report.build(reader.info().averageFps(), reader.fps(), reader.width(),
                    reader.height(), wr, hr, ref.width(), ref.height(), refMeta);
            return new Result(folder, t, reader.fps(), wr, hr, preflight);
        }
    }

    /**
     * Replacement: the character of {@code reference} replaces the person in {@code video}; needs a mask model
     * ({@link KeypointHullMask} needs none).
     */
    public Result replace(Path video, Path reference, Path folder, MaskModel maskModel) throws IOException {
        RgbImage ref = ImageFiles.read(reference);
        PoseSource poses = videoPoses.get();
        FaceCropper cropper = cropper();
        PreflightCollector report = new PreflightCollector();
        try (VideoReader reader = VideoReader.open(video, options.fps())) {
            Resizing.Size size = Resizing.areaSize(reader.width(), reader.height(), options.area(),
                    Resizing.DEFAULT_DIVISOR);
            int w = size.width();
            int h = size.height();
            try (PreprocessFolderWriter out = PreprocessFolderWriter.create(folder, reference, w, h, reader.fps(),
                    true);
                    PoseSequenceWriter keypoints = PoseSequenceWriter.create(folder.resolve(KEYPOINTS_FILE),
                            reader.fps())) {
                PoseMeta previous = null;
                int t = 0;
                while (reader.hasNext()) {
                    RgbImage frame = Resizing.resizeByArea(reader.next(), options.area(), Resizing.DEFAULT_DIVISOR);
                    PoseFrame pf = poses.next(frame);
                    keypoints.write(pf);
                    PoseMeta meta = subjectMeta(pf, previous);
                    previous = meta;
                    FaceBox faceBox = cropper.nextBox(meta);
                    RgbImage face = FaceCropper.crop(frame, faceBox);
                    RgbImage pose = PoseRenderer.render(meta.toPixels());
                    BinaryMask mask = options.mask().apply(maskModel.segment(frame, meta));
                    out.write(pose, face, MaskPostprocess.background(frame, mask), mask);
                    report.add(pf, meta, faceBox, mask);
                    t++;
                    progress.frameDone(t, reader.frameCount());
                }
                out.finish();
                keypoints.finish();
                LOG.info("replacement preprocessing of {}: {} frames at {} fps, {}x{}", video, t, reader.fps(), w, h);
                PoseMeta refMeta = subjectMeta(referencePoses.apply(
                        Resizing.paddingResize(ref, w, h, Interpolation.LINEAR)), null);
                PreflightReport preflight = report.build(reader.info().averageFps(), reader.fps(), w, h, w, h,
                        ref.width(), ref.height(), refMeta);
                return new Result(folder, t, reader.fps(), w, h, preflight);
            }
        }
    }

    private FaceCropper cropper() {
        return options.faceSmoothing() > 0 ? FaceCropper.smoothed(options.faceSmoothing()) : FaceCropper.official();
    }

    private static PoseMeta subjectMeta(PoseFrame frame, PoseMeta previous) {
        Person p = frame.subjectPerson();
        WholeBody kp = p != null ? p.keypoints() : new WholeBody(new float[WholeBody.POINTS * 3]);
        return PoseMeta.of(kp, frame.width(), frame.height(), previous);
    }
}
