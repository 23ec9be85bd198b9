package io.github.wananimate.preprocess.pose;

/**
 * The original's per-frame pose meta ({@code load_pose_metas_from_kp2ds_seq}): the AA layout with coordinates
 * normalised by the frame size, all float32 as numpy computes them (PIPELINE.md §3.6–3.7).
 *
 * @param width frame width
 * @param height frame height
 * @param body 20 × (x/W, y/H, score)
 * @param leftHand 21 × (x/W, y/H, score), COCO 91…111
 * @param rightHand 21 × (x/W, y/H, score), COCO 112…132
 * @param face 69 × (x/W, y/H, score), COCO 22…90 (row 0 is the right heel)
 */
public record PoseMeta(int width, int height, float[] body, float[] leftHand, float[] rightHand, float[] face) {

    /**
     * The meta of one frame. {@code previous} is the previous frame's meta: when every body point has a negative
     * coordinate the original reuses the previous frame's body (only the body). Without a previous frame the
     * original crashes; here the body is kept as it is.
     */
    public static PoseMeta of(WholeBody kp, int width, int height, PoseMeta previous) {
        float[] norm = new float[WholeBody.POINTS * 3];
        for (int i = 0; i < WholeBody.POINTS; i++) {
            norm[i * 3] = kp.x(i) / width;
            norm[i * 3 + 1] = kp.y(i) / height;
            norm[i * 3 + 2] = kp.score(i);
        }
        float[] body = new float[AaLayout.BODY_POINTS * 3];
        for (int i = 0; i < AaLayout.BODY_POINTS; i++) {
            for (int c = 0; c < 3; c++) {
                body[i * 3 + c] = (norm[AaLayout.FIRST[i] * 3 + c] + norm[AaLayout.SECOND[i] * 3 + c]) / 2f;
            }
        }
        boolean allNegative = true;
        for (int i = 0; i < AaLayout.BODY_POINTS && allNegative; i++) {
            allNegative = Math.min(body[i * 3], body[i * 3 + 1]) < 0;
        }
        if (allNegative && previous != null) {
            body = previous.body.clone();
        }
        float[] left = slice(norm, WholeBody.LEFT_HAND_START, WholeBody.HAND_POINTS);
        float[] right = slice(norm, WholeBody.RIGHT_HAND_START, WholeBody.HAND_POINTS);
        float[] face = slice(norm, 22, AaLayout.FACE_ROWS);
        return new PoseMeta(width, height, body, left, right, face);
    }

    private static float[] slice(float[] values, int start, int count) {
        float[] out = new float[count * 3];
        System.arraycopy(values, start * 3, out, 0, count * 3);
        return out;
    }

    /**
     * The same normalised pose on a {@code width × height} canvas: rendering it there draws the pose at another
     * resolution (stretched when the aspect differs).
     */
    public PoseMeta resizedTo(int newWidth, int newHeight) {
        return new PoseMeta(newWidth, newHeight, body, leftHand, rightHand, face);
    }

    /** {@code AAPoseMeta.from_humanapi_meta}: pixel coordinates (float32 · int in float64). */
    public AaPose toPixels() {
        return new AaPose(width, height, pixels(body), pixels(leftHand), pixels(rightHand), pixels(face));
    }

    private double[] pixels(float[] normalised) {
        double[] out = new double[normalised.length];
        for (int i = 0; i < normalised.length; i += 3) {
            out[i] = (double) normalised[i] * width;
            out[i + 1] = (double) normalised[i + 1] * height;
            out[i + 2] = normalised[i + 2];
        }
        return out;
    }
}
