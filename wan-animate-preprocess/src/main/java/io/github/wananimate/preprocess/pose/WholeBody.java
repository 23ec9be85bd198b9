package io.github.wananimate.preprocess.pose;

import java.util.Arrays;

/**
 * One person's 133 COCO-WholeBody keypoints in image pixels, each (x, y, score) as float32, exactly as the pose
 * model's decoding produces them (PIPELINE.md §3.6–3.7). Indices: 0–16 body, 17–22 feet, 23–90 face,
 * 91–111 left hand, 112–132 right hand.
 */
public final class WholeBody {

    public static final int POINTS = 133;
    public static final int BODY_END = 17;
    public static final int FACE_START = 23;
    public static final int FACE_END = 91;
    public static final int LEFT_HAND_START = 91;
    public static final int RIGHT_HAND_START = 112;
    public static final int HAND_POINTS = 21;

    private final float[] values;

    /** @param values 133 × (x, y, score), copied */
    public WholeBody(float[] values) {
        if (values.length != POINTS * 3) {
            throw new IllegalArgumentException("a whole-body pose has " + POINTS * 3 + " values, got " + values.length);
        }
        this.values = values.clone();
    }

    public float x(int i) {
        return values[i * 3];
    }

    public float y(int i) {
        return values[i * 3 + 1];
    }

    public float score(int i) {
        return values[i * 3 + 2];
    }

    /** A copy of the 399 values. */
    public float[] toArray() {
        return values.clone();
    }

    /** A copy with point {@code i} replaced (for editing a sequence). */
    public WholeBody with(int i, float x, float y, float score) {
        float[] v = values.clone();
        v[i * 3] = x;
        v[i * 3 + 1] = y;
        v[i * 3 + 2] = score;
        return new WholeBody(v);
    }

    /** Every coordinate multiplied by (sx, sy); scores unchanged. */
    public WholeBody scaled(double sx, double sy) {
        float[] v = values.clone();
        for (int i = 0; i < POINTS; i++) {
            v[i * 3] = (float) (v[i * 3] * sx);
            v[i * 3 + 1] = (float) (v[i * 3 + 1] * sy);
        }
        return new WholeBody(v);
    }

    /** Bounding box (x0, y0, x1, y1) of the points with score ≥ {@code minScore}; null when there are none. */
    public double[] bounds(int from, int to, double minScore) {
        double x0 = Double.POSITIVE_INFINITY;
        double y0 = Double.POSITIVE_INFINITY;
        double x1 = Double.NEGATIVE_INFINITY;
        double y1 = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            if (score(i) >= minScore) {
                x0 = Math.min(x0, x(i));
                y0 = Math.min(y0, y(i));
                x1 = Math.max(x1, x(i));
                y1 = Math.max(y1, y(i));
            }
        }
        return x0 <= x1 ? new double[] {x0, y0, x1, y1} : null;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof WholeBody other && Arrays.equals(values, other.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "WholeBody[nose=(" + x(0) + ", " + y(0) + ", " + score(0) + ")]";
    }
}
