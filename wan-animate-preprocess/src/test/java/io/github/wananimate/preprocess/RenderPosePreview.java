package io.github.wananimate.preprocess;

import io.github.wananimate.preprocess.image.ImageFiles;
import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.PersonDetector;
import io.github.wananimate.preprocess.pose.PoseEstimator;
import io.github.wananimate.preprocess.pose.PoseExtractor;
import io.github.wananimate.preprocess.pose.PoseFrame;
import io.github.wananimate.preprocess.pose.PoseMeta;
import io.github.wananimate.preprocess.pose.StandInModels;
import io.github.wananimate.preprocess.pose.WholeBody;
import io.github.wananimate.preprocess.render.PoseRenderer;
import io.github.wananimate.preprocess.video.VideoReader;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes {@code target/pose-preview.png}: the first frame of the example driving video, the pose the chain draws for
 * it over the dimmed frame (stand-in models, or the real ones when {@code -Ddet=… -Dpose=…} name them), and a
 * hand-made whole-body skeleton drawn by the same renderer on the same canvas, to judge the drawing. No arguments
 * needed; run it with the module's test classpath (an optional argument names the output file).
 */
public final class RenderPosePreview {

    private RenderPosePreview() {
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of(args.length > 0 ? args[0] : "target/pose-preview.png").toAbsolutePath();
        Path tmp = Files.createTempDirectory("pose-preview");
        Path det = System.getProperty("det") != null ? Path.of(System.getProperty("det"))
                : StandInModels.writeDetector(tmp.resolve("det.onnx"));
        Path pose = System.getProperty("pose") != null ? Path.of(System.getProperty("pose"))
                : StandInModels.writePoseModel(tmp.resolve("pose.onnx"));
        RgbImage frame;
        try (VideoReader reader = VideoReader.open(TestMedia.animateVideo())) {
            frame = reader.next();
        }
        PoseFrame poses;
        try (PersonDetector d = new PersonDetector(det, 2);
                PoseEstimator e = new PoseEstimator(pose, 2, PoseEstimator.ChannelOrder.ORIGINAL)) {
            poses = PoseExtractor.single(d, e, frame);
        }
        PoseMeta meta = PoseMeta.of(poses.subjectPerson().keypoints(), frame.width(), frame.height(), null);
        RgbImage drawn = PoseRenderer.render(meta.toPixels());
        RgbImage handMade = PoseRenderer.render(
                PoseMeta.of(handMadeSkeleton(frame.width(), frame.height()), frame.width(), frame.height(), null)
                        .toPixels());
        int w = frame.width() / 2;
        int h = frame.height() / 2;
        RgbImage panel = RgbImage.black(3 * w, h);
        paste(panel, OpenCv.resize(frame, w, h, Interpolation.AREA), 0);
        paste(panel, OpenCv.resize(overlay(frame, drawn), w, h, Interpolation.AREA), w);
        paste(panel, OpenCv.resize(handMade, w, h, Interpolation.AREA), 2 * w);
        Files.createDirectories(out.getParent());
        ImageFiles.write(panel, out);
        System.out.println("wrote " + out + " (" + panel.width() + "x" + panel.height() + "): source frame | pose "
                + "drawn by the chain (" + (System.getProperty("det") != null ? "real" : "stand-in")
                + " models) | hand-made skeleton");
    }

    /** The frame at 35 % brightness with the drawn pose's non-black pixels on top. */
    private static RgbImage overlay(RgbImage frame, RgbImage pose) {
        byte[] out = new byte[frame.pixels().length];
        byte[] f = frame.pixels();
        byte[] p = pose.pixels();
        for (int i = 0; i < out.length; i += 3) {
            boolean drawn = p[i] != 0 || p[i + 1] != 0 || p[i + 2] != 0;
            for (int c = 0; c < 3; c++) {
                out[i + c] = drawn ? p[i + c] : (byte) ((f[i + c] & 0xFF) * 35 / 100);
            }
        }
        return new RgbImage(frame.width(), frame.height(), out);
    }

    private static void paste(RgbImage canvas, RgbImage img, int x0) {
        for (int y = 0; y < img.height(); y++) {
            System.arraycopy(img.pixels(), y * img.width() * 3, canvas.pixels(), (y * canvas.width() + x0) * 3,
                    img.width() * 3);
        }
    }

    /** A standing person with spread fingers, in COCO-WholeBody order, centred on a W×H frame. */
    static WholeBody handMadeSkeleton(int w, int h) {
        double s = h / 360.0;
        double cx = w / 2.0;
        double[][] body = {{0, 40}, {-6, 34}, {6, 34}, {-13, 37}, {13, 37}, {-30, 75}, {30, 75}, {-55, 110},
            {52, 120}, {-75, 140}, {60, 165}, {-18, 170}, {18, 170}, {-22, 240}, {24, 240}, {-25, 310}, {28, 310},
            {-35, 322}, {-30, 324}, {-24, 314}, {36, 322}, {32, 324}, {28, 314}};
        float[] v = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < body.length; i++) {
            v[i * 3] = (float) (cx + body[i][0] * s);
            v[i * 3 + 1] = (float) (body[i][1] * s);
            v[i * 3 + 2] = 0.9f;
        }
        for (int i = 0; i < 68; i++) {
            double a = 2 * Math.PI * i / 68;
            v[(23 + i) * 3] = (float) (cx + 10 * s * Math.cos(a));
            v[(23 + i) * 3 + 1] = (float) ((40 + 12 * Math.sin(a)) * s);
            v[(23 + i) * 3 + 2] = 0.9f;
        }
        hand(v, WholeBody.LEFT_HAND_START, v[9 * 3], v[9 * 3 + 1], -1, s);
        hand(v, WholeBody.RIGHT_HAND_START, v[10 * 3], v[10 * 3 + 1], 1, s);
        return new WholeBody(v);
    }

    private static void hand(float[] v, int start, float wx, float wy, int side, double s) {
        v[start * 3] = wx;
        v[start * 3 + 1] = wy;
        v[start * 3 + 2] = 0.9f;
        for (int f = 0; f < 5; f++) {
            double angle = Math.toRadians(60 + 15 * f) * side;
            for (int j = 0; j < 4; j++) {
                int p = start + 1 + f * 4 + j;
                double r = (6 + 5 * j) * s;
                v[p * 3] = (float) (wx + side * Math.abs(Math.sin(angle)) * r * 0.6);
                v[p * 3 + 1] = (float) (wy + Math.cos(angle) * r * 0.3 + r);
                v[p * 3 + 2] = 0.9f;
            }
        }
    }
}
