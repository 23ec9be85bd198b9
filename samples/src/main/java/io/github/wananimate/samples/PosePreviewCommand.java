package io.github.wananimate.samples;

import io.github.wananimate.preprocess.demo.DemoSample;
import io.github.wananimate.preprocess.image.Frames;
import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.Person;
import io.github.wananimate.preprocess.pose.PoseFrame;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.PoseSequence;
import io.github.wananimate.preprocess.render.PoseRenderer;
import io.github.wananimate.preprocess.video.VideoReader;
import io.github.wananimate.video.Frame;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code wan-animate pose-preview}: one frame's source image next to its skeleton as the preprocessing draws it
 * ({@link PoseRenderer}, PIPELINE.md §3.9, on a canvas of the source frame's size) and the two overlaid — to check
 * keypoints before spending GPU time. From a keypoint file and its driving video, or from the bundled demo sample.
 */
@Command(name = "pose-preview", mixinStandardHelpOptions = true, usageHelpAutoWidth = true,
        description = {"Writes a PNG with frame N of the driving video, its rendered pose and both overlaid.",
                "  wan-animate pose-preview --keypoints sample/keypoints.wpose --video driving.mp4 --frame 40 "
                        + "-o pose.png",
                "  wan-animate pose-preview --frame 5 -o pose.png      (the bundled sample's hand-placed keypoints)",
                ""})
final class PosePreviewCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--keypoints", paramLabel = "<file.wpose>", description = "keypoints written by `preprocess` "
            + "(keypoints.wpose); without it, the bundled demo sample")
    Path keypoints;

    @Option(names = "--video", paramLabel = "<driving.mp4>", description = "the driving video the keypoints come "
            + "from (read at the keypoint file's fps)")
    Path video;

    @Option(names = "--frame", defaultValue = "0", paramLabel = "<N>", description = "frame index (default "
            + "${DEFAULT-VALUE})")
    int frame;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "<png>", description = "PNG to write")
    Path output;

    @Option(names = "--height", defaultValue = "360", paramLabel = "<px>", description = "panel height "
            + "(default ${DEFAULT-VALUE})")
    int height;

    /** The tallest preview panel (the sheet holds two panels side by side). */
    static final int MAX_HEIGHT = 4096;

    @Override
    public Integer call() throws IOException {
        if ((keypoints == null) != (video == null)) {
            throw new ParameterException(spec.commandLine(), "--keypoints and --video go together (neither: the "
                    + "bundled demo sample)");
        }
        if (height < 16 || height > MAX_HEIGHT) {
            throw new ParameterException(spec.commandLine(), "--height must be in 16.." + MAX_HEIGHT + ", got "
                    + height);
        }
        RgbImage source;
        PoseMeta meta;
        String origin;
        if (keypoints == null) {
            int frames = DemoSample.frameCount();
            checkFrame(frames);
            meta = DemoSample.poseMeta(frame);
            source = Frames.toImage(DemoSample.drivingFrame(frame));
            origin = "the demo sample's hand-placed keypoints";
        } else {
            if (!Files.isRegularFile(keypoints)) {
                throw new InputFileException("keypoint file not found: " + keypoints);
            }
            if (!Files.isRegularFile(video)) {
                throw new InputFileException("driving video not found: " + video);
            }
            PoseSequence sequence = PoseSequence.read(keypoints);
            checkFrame(sequence.size());
            source = videoFrame(sequence.fps());
            PoseFrame poses = sequence.frame(frame).rescaled(source.width(), source.height());
            Person subject = poses.subjectPerson();
            if (subject == null) {
                throw new InputFileException("keypoint file " + keypoints + " has no person on frame " + frame);
            }
            meta = PoseMeta.of(subject.keypoints(), source.width(), source.height(), null);
            origin = keypoints.toString();
        }
        // drawn at the native frame size (the demo's: 1920×1080, its bundled frames are thumbnails), as the original
        // draws before resizing: stick widths depend on the canvas
        RgbImage pose = PoseRenderer.render(meta.toPixels());
        int panelWidth = Math.max(1, (int) Math.min(Integer.MAX_VALUE,
                Math.round((double) source.width() * height / source.height())));
        if (panelWidth > 4 * MAX_HEIGHT) {
            throw new ParameterException(spec.commandLine(), "--height " + height + " makes the " + source.width()
                    + "x" + source.height() + " frame " + panelWidth + " pixels wide (at most " + 4 * MAX_HEIGHT + ")");
        }
        RgbImage poseSmall = OpenCv.resize(pose, panelWidth, height, Interpolation.AREA);
        RgbImage sourceSmall = OpenCv.resize(source, panelWidth, height, Interpolation.LINEAR);
        List<PreviewSheet.Panel> panels = List.of(
                new PreviewSheet.Panel("frame " + frame, Frames.toFrame(sourceSmall)),
                new PreviewSheet.Panel("pose (PoseRenderer)", Frames.toFrame(poseSmall)),
                new PreviewSheet.Panel("overlay", overlay(sourceSmall, poseSmall)));
        Images.writePng(PreviewSheet.compose(panels, height), output);
        spec.commandLine().getOut().printf(Locale.ROOT, "Wrote %s: frame %d (%dx%d) and its pose from %s%n", output,
                frame, source.width(), source.height(), origin);
        return ExitCodes.OK;
    }

    private void checkFrame(int frames) {
        if (frame < 0 || frame >= frames) {
            throw new ParameterException(spec.commandLine(), "--frame " + frame + " is outside 0.." + (frames - 1));
        }
    }

    private RgbImage videoFrame(double fps) {
        try (VideoReader reader = VideoReader.open(video, fps)) {
            if (frame >= reader.frameCount()) {
                throw new InputFileException(String.format(Locale.ROOT, "%s has %d frames at %.3f fps, the keypoints "
                        + "more: not the video they were made from?", video, reader.frameCount(), fps));
            }
            RgbImage image = null;
            for (int i = 0; i <= frame; i++) {
                image = reader.next();
            }
            return image;
        }
    }

    /** The frame at 35 % brightness with the pose's non-black pixels on top. */
    static Frame overlay(RgbImage frame, RgbImage pose) {
        byte[] f = frame.pixels();
        byte[] p = pose.pixels();
        byte[] out = new byte[f.length];
        for (int i = 0; i < out.length; i += 3) {
            boolean drawn = (p[i] & 0xFF) + (p[i + 1] & 0xFF) + (p[i + 2] & 0xFF) > 48;
            for (int c = 0; c < 3; c++) {
                out[i + c] = drawn ? p[i + c] : (byte) ((f[i + c] & 0xFF) * 35 / 100);
            }
        }
        return Frame.ofRgb(frame.width(), frame.height(), out);
    }
}
