package io.github.wananimate.preprocess.face;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.OpenCv.Interpolation;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.AaLayout;
import io.github.wananimate.preprocess.pose.PoseMeta;

/**
 * The 512×512 face crops of {@code src_face.mp4} (PIPELINE.md §3.8).
 *
 * <p>{@link #officialBox} is the original's box. The original crashes on a degenerate box and jitters with the
 * landmarks; a cropper made with {@link #smoothed} instead smooths the box over time (exponential moving
 * average of centre and size) and falls back to the last good box, so every frame gets a crop. With
 * {@link #official()} the boxes are the original's and a degenerate one throws, naming the frame.
 */
public final class FaceCropper {

    public static final int SIZE = 512;
    /** The area expansion factor of {@code get_face_bboxes}. */
    public static final double SCALE = 1.3;

    private final double smoothing;
    private double[] state;
    private FaceBox last;
    private int frame;

    private FaceCropper(double smoothing) {
        this.smoothing = smoothing;
    }

    /** The original's behaviour: no smoothing, no fallback. */
    public static FaceCropper official() {
        return new FaceCropper(0);
    }

    /**
     * @param smoothing weight of the previous box in the moving average, 0 (none, the original's box) to below 1
     */
    public static FaceCropper smoothed(double smoothing) {
        if (smoothing < 0 || smoothing >= 1) {
            throw new IllegalArgumentException("smoothing must be in [0, 1), got " + smoothing);
        }
        return new FaceCropper(smoothing);
    }

    /**
     * {@code get_face_bboxes(face[1:], scale=1.3, (H, W))}: the 68 landmarks in pixels (no score filter), the area
     * expanded 1.3× at the same aspect, three times further up than down, clamped to the frame and truncated.
     * Null when the landmarks have zero width or height (the original divides by zero there).
     */
    public static FaceBox officialBox(PoseMeta meta) {
        double[] b = landmarkBounds(meta);
        double minX = b[0];
        double minY = b[1];
        double maxX = b[2];
        double maxY = b[3];
        double w0 = maxX - minX;
        double h0 = maxY - minY;
        if (!(w0 > 0) || !(h0 > 0)) {
            return null;
        }
        double expandedArea = w0 * h0 * SCALE;
        double newW = Math.sqrt(expandedArea * (w0 / h0));
        double newH = Math.sqrt(expandedArea * (h0 / w0));
        double dw = (newW - w0) / 2;
        double dh = (newH - h0) / 4;
        double x1 = Math.max(minX - dw, 0);
        double x2 = Math.min(maxX + dw, meta.width());
        double y1 = Math.max(minY - 3 * dh, 0);
        double y2 = Math.min(maxY + dh, meta.height());
        return new FaceBox((int) x1, (int) x2, (int) y1, (int) y2);
    }

    /** min x, min y, max x, max y of face rows 1…68 in pixels (float32 · int in float64, as numpy). */
    static double[] landmarkBounds(PoseMeta meta) {
        float[] face = meta.face();
        double minX = Double.POSITIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (int r = 1; r < AaLayout.FACE_ROWS; r++) {
            double x = (double) face[r * 3] * meta.width();
            double y = (double) face[r * 3 + 1] * meta.height();
            minX = Math.min(minX, x);
            maxX = Math.max(maxX, x);
            minY = Math.min(minY, y);
            maxY = Math.max(maxY, y);
        }
        return new double[] {minX, minY, maxX, maxY};
    }

    /** The box this cropper uses for the next frame (advances its state). */
    public FaceBox nextBox(PoseMeta meta) {
        int index = frame++;
        FaceBox raw = officialBox(meta);
        boolean usable = raw != null && !raw.isEmpty();
        if (smoothing == 0) {
            if (!usable) {
                throw new IllegalStateException("frame " + index + ": the face landmarks give an empty crop "
                        + raw + " (the original crashes here; use FaceCropper.smoothed for a fallback)");
            }
            return raw;
        }
        if (!usable) {
            if (last != null) {
                return last;
            }
            // No face seen yet: a square around the image centre, a fifth of the short side.
            int side = Math.max(2, Math.min(meta.width(), meta.height()) / 5);
            int cx = meta.width() / 2;
            int cy = meta.height() / 2;
            return new FaceBox(cx - side / 2, cx - side / 2 + side, cy - side / 2, cy - side / 2 + side);
        }
        double[] box = {(raw.x1() + raw.x2()) / 2.0, (raw.y1() + raw.y2()) / 2.0, raw.width(), raw.height()};
        if (state == null) {
            state = box;
        } else {
            for (int i = 0; i < 4; i++) {
                state[i] = smoothing * state[i] + (1 - smoothing) * box[i];
            }
        }
        int x1 = (int) Math.max(0, Math.round(state[0] - state[2] / 2));
        int x2 = (int) Math.min(meta.width(), Math.round(state[0] + state[2] / 2));
        int y1 = (int) Math.max(0, Math.round(state[1] - state[3] / 2));
        int y2 = (int) Math.min(meta.height(), Math.round(state[1] + state[3] / 2));
        FaceBox smoothed = new FaceBox(x1, Math.max(x2, x1 + 1), y1, Math.max(y2, y1 + 1));
        last = smoothed;
        return smoothed;
    }

    /** Crops the box (end exclusive) and stretches it to 512×512 with INTER_LINEAR, keeping RGB order. */
    public static RgbImage crop(RgbImage frame, FaceBox box) {
        return OpenCv.resize(frame.crop(box.x1(), box.y1(), box.x2(), box.y2()), SIZE, SIZE, Interpolation.LINEAR);
    }

    /** {@link #nextBox} then {@link #crop}. */
    public RgbImage next(RgbImage frame, PoseMeta meta) {
        return crop(frame, nextBox(meta));
    }
}
