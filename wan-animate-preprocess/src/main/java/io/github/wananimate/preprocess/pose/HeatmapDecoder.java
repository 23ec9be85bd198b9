package io.github.wananimate.preprocess.pose;

import io.github.wananimate.preprocess.image.OpenCv;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * mmpose's "unbiased" (DARK) heatmap decoding with kernel 11, as the original calls it (PIPELINE.md §3.6): argmax,
 * Gaussian modulation (pad 5, GaussianBlur 11×11 σ = 2, crop, rescale to the original maximum, log), one Taylor
 * step, then the map back to image pixels. float32 where numpy computes in float32.
 */
public final class HeatmapDecoder {

    static final int KERNEL = 11;

    private HeatmapDecoder() {
    }

    /**
     * @param heatmaps K × H × W values
     * @param centre crop centre (cx, cy)
     * @param cropSize the unrounded crop size (Sw, Sh)
     * @return K × (x, y, score) in image pixels
     */
    public static float[] decode(float[] heatmaps, int k, int h, int w, double[] centre, double[] cropSize) {
        float[] out = new float[k * 3];
        int plane = h * w;
        int border = (KERNEL - 1) / 2;
        for (int j = 0; j < k; j++) {
            int base = j * plane;
            int arg = 0;
            float max = heatmaps[base];
            for (int i = 1; i < plane; i++) {
                if (heatmaps[base + i] > max) {
                    max = heatmaps[base + i];
                    arg = i;
                }
            }
            float px = arg % w;
            float py = arg / w;
            if (!(max > 0)) {
                px = -1;
                py = -1;
            }
            float[] log = modulatedLog(heatmaps, base, h, w, border, max);
            float[] refined = taylor(log, h, w, px, py);
            double sx = cropSize[0] / w;
            double sy = cropSize[1] / h;
            out[j * 3] = (float) (refined[0] * sx + centre[0] - cropSize[0] * 0.5);
            out[j * 3 + 1] = (float) (refined[1] * sy + centre[1] - cropSize[1] * 0.5);
            out[j * 3 + 2] = max;
        }
        return out;
    }

    /** ln(max(blur(heatmap)·(max/blurMax), 1e−10)) over one H × W map. */
    private static float[] modulatedLog(float[] heatmaps, int base, int h, int w, int border, float originMax) {
        int pw = w + 2 * border;
        int ph = h + 2 * border;
        float[] padded = new float[pw * ph];
        for (int y = 0; y < h; y++) {
            System.arraycopy(heatmaps, base + y * w, padded, (y + border) * pw + border, w);
        }
        float[] blurred;
        try (Mat src = OpenCv.toMat(padded, pw, ph, 1); Mat dst = new Mat(); Size ks = new Size(KERNEL, KERNEL)) {
            opencv_imgproc.GaussianBlur(src, dst, ks, 0, 0, opencv_core.BORDER_DEFAULT, 0);
            blurred = OpenCv.toFloats(dst);
        }
        float[] map = new float[h * w];
        float blurMax = Float.NEGATIVE_INFINITY;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                float v = blurred[(y + border) * pw + x + border];
                map[y * w + x] = v;
                blurMax = Math.max(blurMax, v);
            }
        }
        float factor = originMax / blurMax;
        for (int i = 0; i < map.length; i++) {
            map[i] = (float) Math.log(Math.max(map[i] * factor, 1e-10f));
        }
        return map;
    }

    /** mmpose {@code _taylor}: one Newton step on the log map when 1 < px < W − 2 and 1 < py < H − 2. */
    static float[] taylor(float[] hm, int h, int w, float cx, float cy) {
        int px = (int) cx;
        int py = (int) cy;
        if (1 < px && px < w - 2 && 1 < py && py < h - 2) {
            float dx = 0.5f * (at(hm, w, px + 1, py) - at(hm, w, px - 1, py));
            float dy = 0.5f * (at(hm, w, px, py + 1) - at(hm, w, px, py - 1));
            float dxx = 0.25f * (at(hm, w, px + 2, py) - 2 * at(hm, w, px, py) + at(hm, w, px - 2, py));
            float dxy = 0.25f * (at(hm, w, px + 1, py + 1) - at(hm, w, px + 1, py - 1)
                    - at(hm, w, px - 1, py + 1) + at(hm, w, px - 1, py - 1));
            float dyy = 0.25f * (at(hm, w, px, py + 2) - 2 * at(hm, w, px, py) + at(hm, w, px, py - 2));
            float det = dxx * dyy - dxy * dxy;
            if (det != 0) {
                float ox = -(dyy * dx - dxy * dy) / det;
                float oy = -(-dxy * dx + dxx * dy) / det;
                return new float[] {cx + ox, cy + oy};
            }
        }
        return new float[] {cx, cy};
    }

    private static float at(float[] hm, int w, int x, int y) {
        return hm[y * w + x];
    }
}
