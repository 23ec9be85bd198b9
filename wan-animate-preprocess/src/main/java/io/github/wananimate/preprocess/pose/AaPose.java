package io.github.wananimate.preprocess.pose;

/**
 * A pose ready to draw ({@code AAPoseMeta}): pixel coordinates on a canvas of {@code width × height}, the AA
 * body-20 layout plus both hands and the face rows, each point (x, y, score). A point that does not exist
 * (a hand point dropped by retargeting) has score 0 and coordinates NaN.
 */
public record AaPose(int width, int height, double[] body, double[] leftHand, double[] rightHand, double[] face) {

    public double bodyX(int i) {
        return body[i * 3];
    }

    public double bodyY(int i) {
        return body[i * 3 + 1];
    }

    public double bodyScore(int i) {
        return body[i * 3 + 2];
    }
}
