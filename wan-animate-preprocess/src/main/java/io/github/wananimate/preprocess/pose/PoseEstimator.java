package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.RgbImage;
import java.nio.file.Path;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The whole-body pose model {@code pose2d/vitpose_h_wholebody.onnx} with the original's crop, normalisation and
 * decoding (PIPELINE.md §3.6): 256×192 input, 133 heatmaps of 64×48.
 */
public final class PoseEstimator implements AutoCloseable {

    public static final int INPUT_HEIGHT = 256;
    public static final int INPUT_WIDTH = 192;
    static final double RESCALE = 1.25;
    private static final double[] MEAN = {0.485, 0.456, 0.406};
    private static final double[] STD = {0.229, 0.224, 0.225};

    /** Which channel order the model gets. */
    public enum ChannelOrder {
        /** BGR, as the original feeds it by accident (§3.4); needed for parity with the official outputs. */
        ORIGINAL,
        /** RGB, as the model was trained and as Kijai's port feeds it. */
        RGB
    }

    private final OnnxModel model;
    private final ChannelOrder order;

    public PoseEstimator(Path onnxFile, int threads, ChannelOrder order) {
        this.model = new OnnxModel(onnxFile, threads);
        this.order = order;
    }

    /** The crop the original derives from a box: centre and unrounded size (Sw, Sh), §3.6. */
    record Crop(double cx, double cy, double width, double height) {
    }

    /**
     * {@code bbox_from_detector}: centre of the box; s = max(w·256/192, h); crop height 1.25·s and width
     * crop height·192/256, computed in the original's order. A box with score ≤ 0 or a side below 10 px is
     * replaced by the whole image.
     */
    static Crop crop(double x1, double y1, double x2, double y2, double score, int imageWidth, int imageHeight) {
        if (score <= 0 || x2 - x1 < 10 || y2 - y1 < 10) {
            x1 = 0;
            y1 = 0;
            x2 = imageWidth;
            y2 = imageHeight;
        }
        double aspect = INPUT_HEIGHT / (double) INPUT_WIDTH;
        double cx = (x1 + x2) / 2.0;
        double cy = (y1 + y2) / 2.0;
        double size = Math.max((x2 - x1) * aspect, y2 - y1);
        double scaleW = size / aspect / 200.0 * RESCALE;
        double scaleH = size / 200.0 * RESCALE;
        return new Crop(cx, cy, scaleW * 200, scaleH * 200);
    }

    /** Keypoints of the person in {@code box} (x1, y1, x2, y2) with detector {@code score}; the frame is RGB. */
    public WholeBody estimate(RgbImage rgb, double x1, double y1, double x2, double y2, double score) {
        Crop c = crop(x1, y1, x2, y2, score, rgb.width(), rgb.height());
        float[] input = preprocess(order == ChannelOrder.ORIGINAL ? rgb.swapRedBlue() : rgb, c);
        OnnxModel.Output out = model.run(input, new long[] {1, 3, INPUT_HEIGHT, INPUT_WIDTH});
        long[] s = out.shape();
        if (s.length != 4 || s[1] != WholeBody.POINTS) {
            throw new IllegalStateException(model.file() + ": expected heatmaps [1, 133, H, W], got "
                    + java.util.Arrays.toString(s));
        }
        float[] kp = HeatmapDecoder.decode(out.values(), WholeBody.POINTS, (int) s[2], (int) s[3],
                new double[] {c.cx(), c.cy()}, new double[] {c.width(), c.height()});
        return new WholeBody(kp);
    }

    /**
     * The axis-aligned crop: the rectangle round(c − S/2) … round(c + S/2) (half to even, through the original's
     * transform) copied onto a zero float canvas, resized to 192×256 with INTER_LINEAR, then (x/255 − mean)/std.
     */
    static float[] preprocess(RgbImage image, Crop c) {
        double h = c.height();
        double w = h / (INPUT_HEIGHT / (double) INPUT_WIDTH);
        // get_transform: t = [[192/w, 0, 192(−cx/w + .5)], [0, 256/h, 256(−cy/h + .5)]], inverted
        double t00 = INPUT_WIDTH / w;
        double t02 = INPUT_WIDTH * (-c.cx() / w + .5);
        double t11 = INPUT_HEIGHT / h;
        double t12 = INPUT_HEIGHT * (-c.cy() / h + .5);
        int ulx = (int) Math.rint(-t02 / t00);
        int uly = (int) Math.rint(-t12 / t11);
        int brx = (int) Math.rint(INPUT_WIDTH / t00 - t02 / t00);
        int bry = (int) Math.rint(INPUT_HEIGHT / t11 - t12 / t11);
        int cw = brx - ulx;
        int ch = bry - uly;
        if (cw <= 0 || ch <= 0) {
            throw new IllegalArgumentException("empty pose crop " + cw + "x" + ch + " for " + c);
        }
        float[] canvas = new float[cw * ch * 3];
        int newX0 = Math.max(0, -ulx);
        int oldX0 = Math.max(0, ulx);
        int oldX1 = Math.min(image.width(), brx);
        int oldY0 = Math.max(0, uly);
        int oldY1 = Math.min(image.height(), bry);
        int newY0 = Math.max(0, -uly);
        byte[] px = image.pixels();
        for (int y = oldY0; y < oldY1; y++) {
            int row = (newY0 + y - oldY0) * cw;
            for (int x = oldX0; x < oldX1; x++) {
                int src = (y * image.width() + x) * 3;
                int dst = (row + newX0 + x - oldX0) * 3;
                canvas[dst] = px[src] & 0xFF;
                canvas[dst + 1] = px[src + 1] & 0xFF;
                canvas[dst + 2] = px[src + 2] & 0xFF;
            }
        }
        float[] resized;
        try (Mat src = OpenCv.toMat(canvas, cw, ch, 3); Mat dst = new Mat();
                Size size = new Size(INPUT_WIDTH, INPUT_HEIGHT)) {
            opencv_imgproc.resize(src, dst, size, 0, 0, opencv_imgproc.INTER_LINEAR);
            resized = OpenCv.toFloats(dst);
        }
        int plane = INPUT_WIDTH * INPUT_HEIGHT;
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int ch3 = 0; ch3 < 3; ch3++) {
                float scaled = resized[i * 3 + ch3] / 255f;
                chw[ch3 * plane + i] = (float) ((scaled - MEAN[ch3]) / STD[ch3]);
            }
        }
        return chw;
    }

    @Override
    public void close() {
        model.close();
    }
}
