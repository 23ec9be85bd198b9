package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.Preprocessor;
import io.github.wananimate.preprocess.RenderPosePreviewAccess;
import io.github.wananimate.preprocess.TestMedia;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.mask.KeypointHullMask;
import io.github.wananimate.preprocess.video.VideoReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Frames per second of the preprocessing chain without model inference (not a test; run it with the test
 * classpath, e.g. under {@code taskset -c 0,1}). Per frame it does everything but the two ONNX runs: decode and
 * resample, the detector's and the pose model's input preparation, DARK decoding of 133 heatmaps, face crop,
 * skeleton rendering, letterbox, and H.264 encoding of the pose and face videos (plus mask and background for
 * replacement). The poses are a fixed hand-made skeleton, so no model time is counted.
 */
public final class PreprocessBenchmark {

    private PreprocessBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        Path tmp = Files.createTempDirectory("preprocess-bench");
        float[] heatmaps = syntheticHeatmaps();
        for (int round = 0; round < rounds; round++) {
            decodeOnly(TestMedia.animateVideo());
            run("animate 1920x1080@30 -> 1280x720", tmp.resolve("a" + round), heatmaps, false);
            run("replace 1280x720@24 -> 30 fps, 1280x720", tmp.resolve("r" + round), heatmaps, true);
        }
    }

    private static void decodeOnly(Path video) {
        long t0 = System.nanoTime();
        int n = 0;
        try (VideoReader r = VideoReader.open(video, 30)) {
            while (r.hasNext()) {
                r.next();
                n++;
            }
        }
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-40s %4d frames  %6.2f s  %6.1f fps%n", "decode only (1080p)", n, s, n / s);
    }

    private static void run(String label, Path folder, float[] heatmaps, boolean replace) throws Exception {
        PoseSource poses = frame -> {
            // the models' input preparation and output decoding, without the models
            PersonDetector.preprocess(frame);
            PoseEstimator.Crop c = PoseEstimator.crop(frame.width() * 0.3, frame.height() * 0.1, frame.width() * 0.7,
                    frame.height() * 0.95, 0.9, frame.width(), frame.height());
            PoseEstimator.preprocess(frame, c, true);
            HeatmapDecoder.decode(heatmaps, WholeBody.POINTS, 64, 48, new double[] {c.cx(), c.cy()},
                    new double[] {c.width(), c.height()});
            WholeBody kp = RenderPosePreviewAccess.skeleton(frame.width(), frame.height());
            return new PoseFrame(frame.width(), frame.height(),
                    List.of(new Person(0, new float[] {0, 0, frame.width(), frame.height()}, 0.9f, kp)), 0);
        };
        Preprocessor p = new Preprocessor(img -> poses.next(img), () -> poses, Preprocessor.Options.defaults());
        long t0 = System.nanoTime();
        Preprocessor.Result result = replace
                ? p.replace(TestMedia.replaceVideo(), TestMedia.replaceImage(), folder, new KeypointHullMask())
                : p.animate(TestMedia.animateVideo(), TestMedia.animateImage(), folder);
        double s = (System.nanoTime() - t0) / 1e9;
        System.out.printf(Locale.ROOT, "%-40s %4d frames  %6.2f s  %6.1f fps  (encoder: %s)%n", label,
                result.frames(), s, result.frames() / s,
                io.github.wananimate.preprocess.video.VideoWriter.hasEncoder("libx264") ? "libx264" : "openh264");
    }

    /** 133 Gaussian heatmaps of 64×48 (σ = 2) at assorted places. */
    private static float[] syntheticHeatmaps() {
        float[] hm = new float[WholeBody.POINTS * 64 * 48];
        for (int k = 0; k < WholeBody.POINTS; k++) {
            double cx = 5 + (k * 7) % 38;
            double cy = 5 + (k * 11) % 54;
            for (int y = 0; y < 64; y++) {
                for (int x = 0; x < 48; x++) {
                    hm[k * 3072 + y * 48 + x] = (float) Math.exp(-((x - cx) * (x - cx) + (y - cy) * (y - cy)) / 8.0);
                }
            }
        }
        return hm;
    }
}
