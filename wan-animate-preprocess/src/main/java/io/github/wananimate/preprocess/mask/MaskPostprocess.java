package io.github.wananimate.preprocess.mask;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.RgbImage;
import org.bytedeco.opencv.global.opencv_core;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * The original's per-frame mask post-processing and background (PIPELINE.md §3.12): dilation with a k×k kernel of
 * ones, then the grid augmentation {@code get_aug_mask}, then background = frame × (1 − mask).
 *
 * @param iterations dilation iterations; 0 keeps the raw mask (no dilation, no augmentation)
 * @param kernel dilation kernel size k
 * @param wLen grid columns over the mask's bounding box (1 = the bounding box)
 * @param hLen grid rows
 */
public record MaskPostprocess(int iterations, int kernel, int wLen, int hLen) {

    /** The README's replacement settings: {@code --iterations 3 --k 7 --w_len 1 --h_len 1}. */
    public static MaskPostprocess defaults() {
        return new MaskPostprocess(3, 7, 1, 1);
    }

    public MaskPostprocess {
        if (iterations < 0 || kernel < 1 || wLen < 1 || hLen < 1) {
            throw new IllegalArgumentException("iterations ≥ 0, k ≥ 1, w_len ≥ 1, h_len ≥ 1 required; got "
                    + iterations + ", " + kernel + ", " + wLen + ", " + hLen);
        }
    }

    public BinaryMask apply(BinaryMask raw) {
        if (iterations == 0) {
            return raw;
        }
        byte[] dilated = dilate(raw.toBytes(), raw.width(), raw.height(), kernel, iterations);
        return new BinaryMask(raw.width(), raw.height(), augment(dilated, raw.width(), raw.height(), wLen, hLen));
    }

    /** {@code cv2.dilate(mask, np.ones((k, k)), iterations)}. */
    static byte[] dilate(byte[] mask, int width, int height, int k, int iterations) {
        try (Mat src = OpenCv.toMat(mask, width, height);
                Mat dst = new Mat();
                Mat ones = new Mat(k, k, opencv_core.CV_8UC1, new Scalar(1.0));
                Point anchor = new Point(-1, -1)) {
            opencv_imgproc.dilate(src, dst, ones, anchor, iterations, opencv_core.BORDER_CONSTANT,
                    opencv_imgproc.morphologyDefaultBorderValue());
            return OpenCv.toBytes(dst);
        }
    }

    /**
     * {@code get_aug_mask}: over the bounding box [x_min, x_max] × [y_min, y_max] of the set pixels, cells of
     * int((x_max − x_min)/w_len) × int((y_max − y_min)/h_len) that contain any set pixel are filled. The cells stop
     * short of x_max and y_max, so the last column and row keep their values. The original crashes on an empty
     * mask or a zero cell size; here an empty mask is returned as it is and a zero cell size counts as 1.
     */
    static byte[] augment(byte[] mask, int width, int height, int wLen, int hLen) {
        int[] box = BinaryMask.bounds(mask, width, height);
        if (box == null) {
            return mask;
        }
        int x0 = box[0];
        int y0 = box[1];
        int x1 = box[2];
        int y1 = box[3];
        int ws = Math.max(1, (x1 - x0) / wLen);
        int hs = Math.max(1, (y1 - y0) / hLen);
        byte[] out = mask.clone();
        for (int cx = x0; cx < x1; cx += ws) {
            int cx1 = Math.min(cx + ws, x1);
            for (int cy = y0; cy < y1; cy += hs) {
                int cy1 = Math.min(cy + hs, y1);
                if (any(out, width, cx, cy, cx1, cy1)) {
                    for (int y = cy; y < cy1; y++) {
                        java.util.Arrays.fill(out, y * width + cx, y * width + cx1, (byte) 1);
                    }
                }
            }
        }
        return out;
    }

    private static boolean any(byte[] m, int width, int x0, int y0, int x1, int y1) {
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                if (m[y * width + x] != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** frame × (1 − mask): the character region black. */
    public static RgbImage background(RgbImage frame, BinaryMask mask) {
        byte[] px = frame.pixels().clone();
        byte[] bits = mask.toBytes();
        for (int i = 0; i < bits.length; i++) {
            if (bits[i] != 0) {
                px[i * 3] = 0;
                px[i * 3 + 1] = 0;
                px[i * 3 + 2] = 0;
            }
        }
        return new RgbImage(frame.width(), frame.height(), px);
    }
}
