package io.github.wananimate.preprocess.pose;

import static io.github.wananimate.preprocess.pose.AaLayout.BODY_POINTS;
import static io.github.wananimate.preprocess.pose.AaLayout.LIMBS;

/**
 * Pose retargeting of the animation mode ({@code get_retarget_pose} without FLUX, PIPELINE.md §3.10): each limb
 * at frame t gets length (reference limb) × (driving limb at t) / (driving limb at frame 0), keeping the driving
 * angle, and the skeleton is translated so that the first frame's hips and feet (or neck) land on the
 * reference's. The result is drawn on the reference's canvas.
 *
 * <p>Made once from the first driving frame and the reference, then applied frame by frame (streaming). The
 * arithmetic follows the original's order in float64; scores are ignored except where the original reads them.
 */
public final class Retargeting {

    /** The body-completeness threshold of {@code check_full_body} and the hand score threshold. */
    static final double THRESHOLD = 0.4;

    enum BodyType { HALF, THREE_QUARTER, FULL }

    private final int refWidth;
    private final int refHeight;
    private final double scale;
    private final double[] ratios;
    private final BodyType bodyType;
    private final double deltaX;
    private final double deltaY;
    private final double groundX;
    private int frame;

    /**
     * @param driving0 the first driving frame's meta
     * @param reference the reference image's meta (at the generation size Wr×Hr)
     */
    public Retargeting(PoseMeta driving0, PoseMeta reference) {
        float[] d = driving0.body();
        float[] r = reference.body();
        this.refWidth = reference.width();
        this.refHeight = reference.height();
        // 1. body-height scale: driving height / reference height, from nose–ankles, else nose–hips, else area
        if (confident(d, 0, 10, 13) && confident(r, 0, 10, 13)) {
            scale = driving0.height() * Math.abs((y(d, 10) + y(d, 13)) / 2 - y(d, 0))
                    / (reference.height() * Math.abs((y(r, 10) + y(r, 13)) / 2 - y(r, 0)));
        } else if (confident(d, 0, 8, 11) && confident(r, 0, 8, 11)) {
            scale = driving0.height() * Math.abs((y(d, 8) + y(d, 11)) / 2 - y(d, 0))
                    / (reference.height() * Math.abs((y(r, 8) + y(r, 11)) / 2 - y(r, 0)));
        } else {
            scale = Math.sqrt((double) driving0.height() * driving0.width())
                    / Math.sqrt((double) reference.height() * reference.width());
        }
        // 2. the reference in "driving-sized" pixels
        int refW = (int) (reference.width() * scale);
        int refH = (int) (reference.height() * scale);
        // 3. the less complete body type of the two
        BodyType dType = bodyType(d);
        BodyType rType = bodyType(r);
        bodyType = dType.ordinal() < rType.ordinal() ? dType : rType;
        // 4. limb ratios |R_l| / |D0_l|
        ratios = new double[LIMBS.length];
        for (int l = 0; l < LIMBS.length; l++) {
            double refLength = length(r, LIMBS[l], refW, refH);
            double drivingLength = length(d, LIMBS[l], driving0.width(), driving0.height());
            ratios[l] = 1.0 * refLength / drivingLength;
        }
        // 5. symmetrise
        for (int[] pair : new int[][] {{0, 1}, {2, 4}, {3, 5}, {6, 9}, {7, 10}, {8, 11}, {17, 18}}) {
            double m = Math.max(ratios[pair[0]], ratios[pair[1]]);
            ratios[pair[0]] = m;
            ratios[pair[1]] = m;
        }
        for (int[] pair : new int[][] {{13, 15}, {14, 16}}) {
            double avg = (ratios[pair[0]] + ratios[pair[1]]) / 2;
            ratios[pair[0]] = avg;
            ratios[pair[1]] = avg;
        }
        // 6. FK on the first driving frame, without the foot clamp
        double[] first = forwardKinematics(toPixels(d, driving0.width(), driving0.height()), lengthsTimesRatio(
                toPixels(d, driving0.width(), driving0.height()), false));
        // 7. the anchor offset
        if (bodyType == BodyType.FULL) {
            double rightFootMid = (y(r, 10) + y(r, 19)) / 2;
            double leftFootMid = (y(r, 13) + y(r, 18)) / 2;
            double refGroundY = Math.max(leftFootMid, rightFootMid) * refH;
            deltaY = Math.max(first[10 * 3 + 1], first[13 * 3 + 1]) - refGroundY;
            double refGroundX = (x(r, 8) + x(r, 11)) * refW / 2;
            groundX = (first[8 * 3] + first[11 * 3]) / 2;
            deltaX = groundX - refGroundX;
        } else {
            deltaY = first[1 * 3 + 1] - y(r, 1) * refH;
            groundX = first[1 * 3];
            deltaX = groundX - x(r, 1) * refW;
        }
    }

    /** The body-height scale s (driving / reference). */
    public double scale() {
        return scale;
    }

    /** The 19 symmetrised limb ratios. */
    public double[] limbRatios() {
        return ratios.clone();
    }

    /** The anchor offset Δ in driving pixels. */
    public double[] anchorOffset() {
        return new double[] {deltaX, deltaY};
    }

    /** Retargets the next driving frame onto the reference canvas (frames must come in order). */
    public AaPose next(PoseMeta driving) {
        int t = frame++;
        int w = driving.width();
        int h = driving.height();
        double[] pixels = toPixels(driving.body(), w, h);
        double[][] lengthsAngles = lengthsTimesRatio(pixels, true);
        double[] moved = forwardKinematics(pixels, lengthsAngles);
        double dx = deltaX;
        if (t == 0) {
            // The original re-centres the first frame through a local variable; it is 0 when this frame is D0.
            if (bodyType == BodyType.FULL) {
                dx += (moved[8 * 3] + moved[11 * 3]) / 2 - groundX;
            } else if (bodyType == BodyType.HALF) {
                dx += moved[1 * 3] - groundX;
            }
        }
        double[] body = new double[BODY_POINTS * 3];
        for (int i = 0; i < BODY_POINTS; i++) {
            body[i * 3] = (moved[i * 3] - dx) / scale;
            body[i * 3 + 1] = (moved[i * 3 + 1] - deltaY) / scale;
            body[i * 3 + 2] = moved[i * 3 + 2];
        }
        double[][] hands = hands(driving, pixels, body);
        // write_to_poses normalises by (Wr, Hr) and get_retarget_pose multiplies back
        double[] out = new double[body.length];
        for (int i = 0; i < BODY_POINTS; i++) {
            out[i * 3] = body[i * 3] / refWidth * refWidth;
            out[i * 3 + 1] = body[i * 3 + 1] / refHeight * refHeight;
            out[i * 3 + 2] = body[i * 3 + 2];
        }
        return new AaPose(refWidth, refHeight, out, hands[0], hands[1], null);
    }

    /**
     * Step 9: hands scaled about their root by k = max(ρ₀, ρ₁)/s and moved with the retargeted wrists, with the
     * original's swap heuristic. Returns {left, right} in reference pixels (truncated to int as the original).
     */
    private double[][] hands(PoseMeta driving, double[] drivingPixels, double[] body) {
        int w = driving.width();
        int h = driving.height();
        double k = Math.max(ratios[0], ratios[1]) / scale;
        // get_retarget_pose multiplies the hands by (W, H) and write_to_poses divides again
        double[] leftNorm = renormalised(driving.leftHand(), w, h);
        double[] rightNorm = renormalised(driving.rightHand(), w, h);
        // deal_hand_keypoints returns (right, left) and the caller names them (left, right): "leftData" is the
        // driving right hand, "rightData" the driving left hand.
        double[] leftData = scaleAboutRoot(rightNorm, k);
        double[] rightData = scaleAboutRoot(leftNorm, k);

        double[] leftDelta = {body[4 * 3] - drivingPixels[4 * 3], body[4 * 3 + 1] - drivingPixels[4 * 3 + 1]};
        double[] rightDelta = {body[7 * 3] - drivingPixels[7 * 3], body[7 * 3 + 1] - drivingPixels[7 * 3 + 1]};
        if (leftData[0] != -1) {
            leftDelta[0] += drivingPixels[4 * 3] - leftData[0] * w;
            leftDelta[1] += drivingPixels[4 * 3 + 1] - leftData[1] * h;
        }
        if (rightData[0] != -1) {
            rightDelta[0] += drivingPixels[7 * 3] - rightData[0] * w;
            rightDelta[1] += drivingPixels[7 * 3 + 1] - rightData[1] * h;
        }
        double ex = drivingPixels[4 * 3] - leftData[0] * w;
        double ey = drivingPixels[4 * 3 + 1] - leftData[1] * h;
        double disLeft = Math.sqrt(ex * ex + ey * ey);
        double fx = drivingPixels[7 * 3] - leftData[0] * w;
        double fy = drivingPixels[7 * 3 + 1] - leftData[1] * h;
        double disRight = Math.sqrt(fx * fx + fy * fy);
        if (disLeft > disRight) {
            return new double[][] {place(rightData, leftDelta, w, h), place(leftData, rightDelta, w, h)};
        }
        return new double[][] {place(leftData, leftDelta, w, h), place(rightData, rightDelta, w, h)};
    }

    private static double[] renormalised(float[] hand, int w, int h) {
        double[] out = new double[hand.length];
        for (int i = 0; i < hand.length; i += 3) {
            out[i] = (double) hand[i] * w / w;
            out[i + 1] = (double) hand[i + 1] * h / h;
            out[i + 2] = hand[i + 2];
        }
        return out;
    }

    /** {@code deal_hand_keypoints}: p·k − root·(k − 1); a point below the threshold becomes (−1, −1, 0). */
    private static double[] scaleAboutRoot(double[] hand, double k) {
        double deltaX = hand[0] * (k - 1);
        double deltaY = hand[1] * (k - 1);
        double[] out = new double[hand.length];
        for (int i = 0; i < hand.length; i += 3) {
            if (hand[i + 2] < THRESHOLD) {
                out[i] = -1;
                out[i + 1] = -1;
                out[i + 2] = 0;
            } else {
                out[i] = hand[i] * k - deltaX;
                out[i + 1] = hand[i + 1] * k - deltaY;
                out[i + 2] = hand[i + 2];
            }
        }
        return out;
    }

    /** {@code get_handpose_meta}: int(x·W + δx), int(y·H + δy); score-0 points are dropped (NaN, score 0). */
    private static double[] place(double[] hand, double[] delta, int w, int h) {
        double[] out = new double[hand.length];
        for (int i = 0; i < hand.length; i += 3) {
            if (hand[i + 2] == 0) {
                out[i] = Double.NaN;
                out[i + 1] = Double.NaN;
                out[i + 2] = 0;
            } else {
                out[i] = (long) (hand[i] * w + delta[0]);
                out[i + 1] = (long) (hand[i + 1] * h + delta[1]);
                out[i + 2] = hand[i + 2];
            }
        }
        return out;
    }

    /** Driving body in pixels: (x·W, y·H, score). */
    private static double[] toPixels(float[] body, int w, int h) {
        double[] out = new double[BODY_POINTS * 3];
        for (int i = 0; i < BODY_POINTS; i++) {
            out[i * 3] = (double) body[i * 3] * w;
            out[i * 3 + 1] = (double) body[i * 3 + 1] * h;
            out[i * 3 + 2] = body[i * 3 + 2];
        }
        return out;
    }

    /** New limb lengths ℓ·ρ and angles in degrees; with the foot clamp of {@code get_scaled_pose} if asked. */
    private double[][] lengthsTimesRatio(double[] p, boolean clampFeet) {
        double[] lengths = new double[LIMBS.length];
        double[] angles = new double[LIMBS.length];
        for (int l = 0; l < LIMBS.length; l++) {
            int a = LIMBS[l][0] * 3;
            int b = LIMBS[l][1] * 3;
            double dy = p[a + 1] - p[b + 1];
            double dx = p[a] - p[b];
            lengths[l] = Math.sqrt(dy * dy + dx * dx) * ratios[l];
            angles[l] = Math.toDegrees(Math.atan2(dy, dx));
        }
        if (clampFeet) {
            if (lengths[18] > lengths[8] * 0.5) {
                lengths[18] = lengths[8] * 0.5;
            }
            if (lengths[17] > lengths[11] * 0.5) {
                lengths[17] = lengths[11] * 0.5;
            }
        }
        return new double[][] {lengths, angles};
    }

    /** Walks the limbs in table order: child = parent − ℓ′·(cos θ, sin θ); the neck never moves. */
    private static double[] forwardKinematics(double[] p, double[][] lengthsAngles) {
        double[] out = p.clone();
        for (int l = 0; l < LIMBS.length; l++) {
            int a = LIMBS[l][0] * 3;
            int b = LIMBS[l][1] * 3;
            double radians = Math.toRadians(lengthsAngles[1][l]);
            out[b] = out[a] - lengthsAngles[0][l] * Math.cos(radians);
            out[b + 1] = out[a + 1] - lengthsAngles[0][l] * Math.sin(radians);
        }
        return out;
    }

    private static double length(float[] body, int[] limb, int w, int h) {
        double xa = (double) body[limb[0] * 3] * w;
        double xb = (double) body[limb[1] * 3] * w;
        double ya = (double) body[limb[0] * 3 + 1] * h;
        double yb = (double) body[limb[1] * 3 + 1] * h;
        return Math.sqrt((xa - xb) * (xa - xb) + (ya - yb) * (ya - yb));
    }

    /** {@code check_full_body}: ankles and hips on screen (y ≤ 1) with score ≥ 0.4, else hips, else half. */
    static BodyType bodyType(float[] body) {
        boolean hips = onScreen(body, 8) && onScreen(body, 11);
        if (hips && onScreen(body, 10) && onScreen(body, 13)) {
            return BodyType.FULL;
        }
        return hips ? BodyType.THREE_QUARTER : BodyType.HALF;
    }

    private static boolean onScreen(float[] body, int i) {
        return body[i * 3 + 1] <= 1 && body[i * 3 + 2] >= THRESHOLD;
    }

    private static boolean confident(float[] body, int... points) {
        for (int i : points) {
            if (!(body[i * 3 + 2] > 0.5)) {
                return false;
            }
        }
        return true;
    }

    private static double x(float[] body, int i) {
        return body[i * 3];
    }

    private static double y(float[] body, int i) {
        return body[i * 3 + 1];
    }
}
