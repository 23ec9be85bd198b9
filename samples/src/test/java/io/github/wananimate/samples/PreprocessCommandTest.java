package io.github.wananimate.samples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.wananimate.api.MotionSignals;
import io.github.wananimate.preprocess.Preprocessor;
import io.github.wananimate.preprocess.folder.PreprocessFolder;
import io.github.wananimate.preprocess.folder.PreprocessFolderReader;
import io.github.wananimate.preprocess.pose.PoseSequence;
import io.github.wananimate.preprocess.pose.StandInModels;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code preprocess} on the example driving video with stand-in detector and pose models (the official ones cannot
 * be downloaded here; see the preprocess module's {@code StandInModels}), and {@code pose-preview}.
 */
class PreprocessCommandTest extends CliTestSupport {

    @TempDir
    static Path dir;
    static Path models;
    static Path video;
    static Path image;

    @BeforeAll
    static void standInModelsAndMedia() throws IOException {
        models = dir.resolve("process_checkpoint");
        StandInModels.writeDetector(models.resolve(PreprocessCommand.DETECTOR));
        StandInModels.writePoseModel(models.resolve(PreprocessCommand.POSE_MODEL));
        video = copy("examples/animate/video.mp4");
        image = copy("examples/animate/image.jpeg");
    }

    private static Path copy(String resource) throws IOException {
        Path target = dir.resolve("media").resolve(resource);
        Files.createDirectories(target.getParent());
        try (InputStream in = PreprocessCommandTest.class.getResourceAsStream("/" + resource)) {
            assertThat(in).as("test resource %s (wan-animate-preprocess test-jar)", resource).isNotNull();
            Files.copy(in, target);
        }
        return target;
    }

    @Test
    void animationFromTheExampleVideoWritesTheOfficialFolderAndReusesItsKeypoints() throws IOException {
        Path folder = dir.resolve("animate");
        Path cache = dir.resolve("cache/example.wpose");
        String[] args = {"preprocess", "--video", video.toString(), "--reference", image.toString(), "--models",
            models.toString(), "-o", folder.toString(), "--fps", "3", "--resolution-area", "256*144",
            "--keypoints", cache.toString(), "--report"};
        assertThat(run(args)).as(err.toString()).isZero();

        int frames = (int) (106 / 30.0 * 3);
        for (String name : new String[] {PreprocessFolder.POSE, PreprocessFolder.FACE, PreprocessFolder.REFERENCE,
            Preprocessor.KEYPOINTS_FILE, PreprocessCommand.REPORT_FILE}) {
            assertThat(folder.resolve(name)).isRegularFile();
        }
        assertThat(folder.resolve(PreprocessFolder.MASK)).doesNotExist();
        assertThat(Files.mismatch(folder.resolve(PreprocessFolder.REFERENCE), image)).isEqualTo(-1L);
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.frameCount()).isEqualTo(frames);
        assertThat(signals.fps()).isEqualTo(3.0);
        // the 1280x720 reference at area 256·144: 256x144 exactly
        assertThat(signals.width()).isEqualTo(256);
        assertThat(signals.height()).isEqualTo(144);
        assertThat(signals.face().width()).isEqualTo(512);
        assertThat(out.toString()).contains("Preflight: " + frames + " frames", "pose coverage", "frame " + frames
                + "/" + frames);
        assertThat(Files.readString(folder.resolve(PreprocessCommand.REPORT_FILE))).contains("face coverage");
        assertThat(PoseSequence.read(cache).size()).isEqualTo(frames);

        // second run: the cached keypoints replace the pose models for the video
        out.getBuffer().setLength(0);
        Path again = dir.resolve("animate-again");
        args[8] = again.toString();
        assertThat(run(args)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("with the keypoints of " + cache);
        assertThat(new PreprocessFolderReader().read(again).frameCount()).isEqualTo(frames);

        // and the keypoints preview of the last frame, next to the video frame they came from
        Path png = dir.resolve("preview.png");
        assertThat(run("pose-preview", "--keypoints", cache.toString(), "--video", video.toString(), "--frame",
                String.valueOf(frames - 1), "-o", png.toString(), "--height", "90")).as(err.toString()).isZero();
        BufferedImage sheet = ImageIO.read(png.toFile());
        assertThat(sheet.getHeight()).isEqualTo(2 * PreviewSheet.MARGIN + PreviewSheet.CAPTION + 90);
        assertThat(sheet.getWidth()).isEqualTo(4 * PreviewSheet.MARGIN + 3 * 160);
    }

    @Test
    void replacementWithTheHullMaskWritesMaskAndBackground() throws IOException {
        Path folder = dir.resolve("replace");
        String[] args = {"preprocess", "--replace", "--video", video.toString(), "--reference", image.toString(),
            "--models", models.toString(), "-o", folder.toString(), "--fps", "2", "--resolution-area", "256x144"};
        // the stand-in pose model puts no usable face on the resized frame 1: the original's per-frame box fails
        assertThat(run(args)).isEqualTo(ExitCodes.VALIDATION_FAILED);
        assertThat(err.toString()).contains("frame 1", "--face-smoothing");

        String[] smoothed = java.util.Arrays.copyOf(args, args.length + 2);
        smoothed[args.length] = "--face-smoothing";
        smoothed[args.length + 1] = "0.5";
        assertThat(run(smoothed)).as(err.toString()).isZero();
        MotionSignals signals = new PreprocessFolderReader().read(folder);
        assertThat(signals.supportsReplacement()).isTrue();
        assertThat(signals.frameCount()).isEqualTo((int) (106 / 30.0 * 2));
        assertThat(signals.width()).isEqualTo(256);
        assertThat(out.toString()).contains("mask: keypoint hull", "mask area");
    }

    @Test
    void aMissingModelFileExitsThreeAndNamesTheExpectedPath() throws IOException {
        Path incomplete = dir.resolve("incomplete");
        StandInModels.writeDetector(incomplete.resolve(PreprocessCommand.DETECTOR));
        int code = run("preprocess", "--video", video.toString(), "--reference", image.toString(), "--models",
                incomplete.toString(), "-o", dir.resolve("never").toString());
        assertThat(code).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains(incomplete.resolve(PreprocessCommand.POSE_MODEL).toString());
        assertThat(dir.resolve("never")).doesNotExist();

        assertThat(run("preprocess", "--replace", "--video", video.toString(), "--reference", image.toString(),
                "--models", models.toString(), "--sam2", dir.resolve("no-sam2").toString(), "-o",
                dir.resolve("never").toString())).isEqualTo(ExitCodes.FILE_PROBLEM);
        assertThat(err.toString()).contains("SAM2 folder not found", "no-sam2");
        assertThat(run("preprocess", "--video", video.toString(), "-o", dir.resolve("never").toString()))
                .isEqualTo(ExitCodes.USAGE);
    }

    @Test
    void posePreviewOfTheDemoSampleShowsItsHandPlacedSkeleton() throws IOException {
        Path png = dir.resolve("demo-preview.png");
        assertThat(run("pose-preview", "--frame", "5", "-o", png.toString(), "--height", "126")).as(err.toString())
                .isZero();
        BufferedImage sheet = ImageIO.read(png.toFile());
        int panel = 224; // 1920x1080 and the 224x126 thumbnails at height 126
        assertThat(sheet.getWidth()).isEqualTo(4 * PreviewSheet.MARGIN + 3 * panel);
        // the pose panel is not black: the neck (1224, 422) of frame 5 lies on drawn limbs
        int x0 = 2 * PreviewSheet.MARGIN + panel;
        int y0 = PreviewSheet.MARGIN + PreviewSheet.CAPTION;
        int neck = sheet.getRGB(x0 + 1224 * panel / 1920, y0 + 422 * 126 / 1080) & 0xFFFFFF;
        assertThat(neck).isNotZero();
        assertThat(run("pose-preview", "--frame", "13", "-o", png.toString())).isEqualTo(ExitCodes.USAGE);
    }
}
