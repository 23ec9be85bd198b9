package io.github.wananimate.preprocess;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.folder.PreprocessFolder;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import io.github.wananimate.preprocess.image.Frames;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.Resizing;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.KeypointHullMask;
import io.github.wananimate.preprocess.pose.PersonDetector;
import io.github.wananimate.preprocess.pose.PoseEstimator;
import io.github.wananimate.preprocess.pose.PoseEstimator.ChannelOrder;
import io.github.wananimate.preprocess.pose.PoseExtractor;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.PoseSequence;
import io.github.wananimate.preprocess.pose.PoseSource;
import io.github.wananimate.preprocess.pose.StandInModels;
import io.github.wananimate.preprocess.pose.SubjectSelection;
import io.github.wananimate.preprocess.render.PoseRenderer;
import io.github.wananimate.video.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Example driving video → keypoints (stand-in models) → official folder → read back. */
class EndToEndTest {

    @TempDir
    static Path dir;
    static PersonDetector detector;
    static PoseEstimator estimator;

    @BeforeAll
    static void models() throws IOException {
        detector = new PersonDetector(StandInModels.writeDetector(dir.resolve("det/yolov10m.onnx")), 1);
        estimator = new PoseEstimator(StandInModels.writePoseModel(dir.resolve("pose2d/vitpose_h_wholebody.onnx")), 1,
                ChannelOrder.ORIGINAL);
    }

    @AfterAll
    static void close() {
        detector.close();
        estimator.close();
    }

    static Preprocessor preprocessor(Preprocessor.Options options) {
        return new Preprocessor(img -> PoseExtractor.single(detector, estimator, img),
                () -> PoseSource.of(new PoseExtractor(detector, estimator, SubjectSelection.trackLargest(), false)),
                options);
    }

    static double meanAbsDiff(Frame a, RgbImage b) {
        byte[] pa = a.toRgbBytes();
        byte[] pb = b.pixels();
        long s = 0;
        for (int i = 0; i < pa.length; i++) {
            s += Math.abs((pa[i] & 0xFF) - (pb[i] & 0xFF));
        }
        return (double) s / pa.length;
    }

    @Test
    void animationFolderFromTheExampleVideo() throws IOException {
        Path folder = dir.resolve("animate");
        Preprocessor.Options options = Preprocessor.Options.defaults().withFps(5).withArea(640L * 360)
                .withFaceSmoothing(0.5);
        Preprocessor.Result result = preprocessor(options).animate(TestMedia.animateVideo(), TestMedia.animateImage(),
                folder);
        System.out.println(result.report().summary());

        int expectedFrames = (int) (106 / 30.0 * 5);
        assertThat(result.frames()).isEqualTo(expectedFrames);
        RgbImage ref = io.github.wananimate.preprocess.image.ImageFiles.read(TestMedia.animateImage());
        Resizing.Size size = Resizing.areaSize(ref.width(), ref.height(), 640L * 360, 16);
        assertThat(result.width()).isEqualTo(size.width());
        assertThat(result.height()).isEqualTo(size.height());
        assertThat(result.report().frames()).isEqualTo(expectedFrames);
        assertThat(result.report().summary()).contains("pose coverage").contains("WARNING"); // 5 fps ≠ 30

        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.frameCount()).isEqualTo(expectedFrames);
        assertThat(signals.width()).isEqualTo(size.width());
        assertThat(signals.fps()).isEqualTo(5.0);
        assertThat(signals.face().width()).isEqualTo(512);
        assertThat(signals.reference().width()).isEqualTo(ref.width());

        // the stored keypoints reproduce the pose video (up to H.264 loss)
        PoseSequence keypoints = PoseSequence.read(folder.resolve(Preprocessor.KEYPOINTS_FILE));
        assertThat(keypoints.size()).isEqualTo(expectedFrames);
        assertThat(keypoints.frame(0).width()).isEqualTo(1920);
        List<PoseMeta> metas = keypoints.subjectMetas();
        for (int t : new int[] {0, expectedFrames / 2, expectedFrames - 1}) {
            RgbImage rendered = Resizing.paddingResize(PoseRenderer.render(metas.get(t).toPixels()), size.width(),
                    size.height(), Interpolation.LINEAR);
            assertThat(meanAbsDiff(signals.pose().get(t), rendered)).as("pose frame %d", t).isLessThan(3.0);
            assertThat(Frames.toImage(signals.pose().get(t)).pixels()).isNotEqualTo(new byte[rendered.pixels().length]);
        }
    }

    @Test
    void retargetedAnimationDrawsOnTheReferenceCanvas() throws IOException {
        Path folder = dir.resolve("retarget");
        Preprocessor.Options options = Preprocessor.Options.defaults().withFps(3).withArea(512L * 288)
                .withFaceSmoothing(0.5).withRetarget(true);
        Preprocessor.Result result = preprocessor(options).animate(TestMedia.animateVideo(), TestMedia.animateImage(),
                folder);
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.frameCount()).isEqualTo(result.frames());
        assertThat(signals.width()).isEqualTo(result.width());
    }

    @Test
    void replacementFolderFromTheExampleVideo() throws IOException {
        Path folder = dir.resolve("replace");
        Preprocessor.Options options = Preprocessor.Options.defaults().withFps(4).withArea(512L * 288)
                .withFaceSmoothing(0.5);
        Preprocessor.Result result;
        try (KeypointHullMask masks = new KeypointHullMask()) {
            result = preprocessor(options).replace(TestMedia.replaceVideo(), TestMedia.replaceImage(), folder, masks);
        }
        System.out.println(result.report().summary());
        int expectedFrames = (int) (164 / 24.0 * 4);
        assertThat(result.frames()).isEqualTo(expectedFrames);
        assertThat(result.width()).isEqualTo(512);
        assertThat(result.height()).isEqualTo(288);
        for (String name : new String[] {PreprocessFolder.POSE, PreprocessFolder.FACE, PreprocessFolder.REFERENCE,
            PreprocessFolder.BACKGROUND, PreprocessFolder.MASK, Preprocessor.KEYPOINTS_FILE}) {
            assertThat(folder.resolve(name)).exists();
        }
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.supportsReplacement()).isTrue();
        assertThat(signals.frameCount()).isEqualTo(expectedFrames);
        assertThat(result.report().maskArea()).hasSize(expectedFrames);
        // where the mask is set, the background is black
        Frame mask = signals.mask().orElseThrow().get(0);
        Frame bg = signals.background().orElseThrow().get(0);
        int checked = 0;
        for (int y = 0; y < 288; y += 7) {
            for (int x = 0; x < 512; x += 7) {
                if (mask.sample(x, y, 0) > 250 && mask.sample(Math.max(0, x - 6), y, 0) > 250
                        && mask.sample(Math.min(511, x + 6), y, 0) > 250) {
                    assertThat(bg.sample(x, y, 1)).isLessThan(40);
                    checked++;
                }
            }
        }
        assertThat(checked).isPositive();
        assertThat(Files.size(folder.resolve(PreprocessFolder.REFERENCE)))
                .isEqualTo(Files.size(TestMedia.replaceImage()));
    }
}
