package io.github.wananimate.preprocess.render;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.AaLayout;
import io.github.wananimate.preprocess.pose.AaPose;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.PointVector;
import org.bytedeco.opencv.opencv_core.Scalar;
import org.bytedeco.opencv.opencv_core.Size;

/**
 * The original's skeleton drawing, {@code draw_aapose_by_meta_new} with threshold 0.5 and stick type "v2"
 * (PIPELINE.md §3.9), through OpenCV so that the pixels are the same: limbs as filled {@code ellipse2Poly}
 * polygons at 60 % colour, joints as filled circles, then the left and right hand. Face landmarks are not drawn.
 */
public final class PoseRenderer {

    /** The score a point needs to be drawn. */
    public static final double THRESHOLD = 0.5;

    private static final double[][] HAND_EDGE_COLORS = handEdgeColors();

    private PoseRenderer() {
    }

    /** Body half-width / joint radius: max(int(min(H, W)/200) − 1, 1). */
    public static int bodyStickWidth(int width, int height) {
        return Math.max(Math.min(width, height) / 200 - 1, 1);
    }

    /** Hand line thickness / point radius: max(max(int(min(H, W)/200) − 1, 1) div 2, 1). */
    public static int handStickWidth(int width, int height) {
        return Math.max(bodyStickWidth(width, height) / 2, 1);
    }

    /** Draws the pose on a new black canvas of the pose's size. */
    public static RgbImage render(AaPose pose) {
        return draw(RgbImage.black(pose.width(), pose.height()), pose);
    }

    /** Draws the pose onto {@code canvas} (modified in place and returned). */
    public static RgbImage draw(RgbImage canvas, AaPose pose) {
        int w = canvas.width();
        int h = canvas.height();
        int stick = bodyStickWidth(w, h);
        int handStick = handStickWidth(w, h);
        try (Mat mat = OpenCv.toMat(canvas)) {
            double[] body = pose.body();
            for (int l = 0; l < AaLayout.LIMBS.length; l++) {
                int a = AaLayout.LIMBS[l][0];
                int b = AaLayout.LIMBS[l][1];
                if (body[a * 3 + 2] < THRESHOLD || body[b * 3 + 2] < THRESHOLD) {
                    continue;
                }
                drawLimb(mat, body[a * 3], body[a * 3 + 1], body[b * 3], body[b * 3 + 1], stick, AaLayout.COLORS[l]);
            }
            for (int j = 0; j < AaLayout.BODY_POINTS; j++) {
                if (body[j * 3 + 2] < THRESHOLD || !finite(body[j * 3], body[j * 3 + 1])) {
                    continue;
                }
                int[] c = AaLayout.COLORS[j];
                try (Point centre = new Point(toInt(body[j * 3]), toInt(body[j * 3 + 1]));
                        Scalar colour = new Scalar(c[0], c[1], c[2], 0)) {
                    opencv_imgproc.circle(mat, centre, stick, colour, -1, opencv_imgproc.LINE_8, 0);
                }
            }
            drawHand(mat, pose.leftHand(), handStick);
            drawHand(mat, pose.rightHand(), handStick);
            mat.data().get(canvas.pixels());
        }
        return canvas;
    }

    private static void drawLimb(Mat mat, double xa, double ya, double xb, double yb, int stick, int[] c) {
        if (!finite(xa, ya) || !finite(xb, yb)) {
            return;
        }
        double meanX = (xa + xb) / 2;
        double meanY = (ya + yb) / 2;
        double length = Math.sqrt((ya - yb) * (ya - yb) + (xa - xb) * (xa - xb));
        double angle = Math.toDegrees(Math.atan2(ya - yb, xa - xb));
        try (Point centre = new Point(toInt(meanX), toInt(meanY));
                Size axes = new Size(toInt(length / 2), stick);
                PointVector polygon = new PointVector();
                Scalar colour = new Scalar((int) (c[0] * 0.6), (int) (c[1] * 0.6), (int) (c[2] * 0.6), 0)) {
            opencv_imgproc.ellipse2Poly(centre, axes, (int) angle, 0, 360, 1, polygon);
            opencv_imgproc.fillConvexPoly(mat, polygon.get(0), (int) polygon.size(), colour,
                    opencv_imgproc.LINE_8, 0);
        }
    }

    /** {@code draw_handpose_new}: points at x = 0 or y = 0 (after truncation) are not drawn. */
    private static void drawHand(Mat mat, double[] hand, int stick) {
        if (hand == null) {
            return;
        }
        double eps = 0.01;
        for (int e = 0; e < AaLayout.HAND_EDGES.length; e++) {
            int a = AaLayout.HAND_EDGES[e][0];
            int b = AaLayout.HAND_EDGES[e][1];
            if (hand[a * 3 + 2] < THRESHOLD || hand[b * 3 + 2] < THRESHOLD
                    || !finite(hand[a * 3], hand[a * 3 + 1]) || !finite(hand[b * 3], hand[b * 3 + 1])) {
                continue;
            }
            int x1 = toInt(hand[a * 3]);
            int y1 = toInt(hand[a * 3 + 1]);
            int x2 = toInt(hand[b * 3]);
            int y2 = toInt(hand[b * 3 + 1]);
            if (x1 > eps && y1 > eps && x2 > eps && y2 > eps) {
                double[] c = HAND_EDGE_COLORS[e];
                try (Point p1 = new Point(x1, y1); Point p2 = new Point(x2, y2);
                        Scalar colour = new Scalar(c[0], c[1], c[2], 0)) {
                    opencv_imgproc.line(mat, p1, p2, colour, stick, opencv_imgproc.LINE_8, 0);
                }
            }
        }
        for (int i = 0; i < hand.length / 3; i++) {
            if (hand[i * 3 + 2] < THRESHOLD || !finite(hand[i * 3], hand[i * 3 + 1])) {
                continue;
            }
            int x = toInt(hand[i * 3]);
            int y = toInt(hand[i * 3 + 1]);
            if (x > eps && y > eps) {
                try (Point p = new Point(x, y); Scalar blue = new Scalar(0, 0, 255, 0)) {
                    opencv_imgproc.circle(mat, p, stick, blue, -1, opencv_imgproc.LINE_8, 0);
                }
            }
        }
    }

    /** matplotlib's {@code hsv_to_rgb([k/20, 1, 1]) * 255}; OpenCV rounds these when it draws. */
    static double[][] handEdgeColors() {
        int n = AaLayout.HAND_EDGES.length;
        double[][] colours = new double[n][];
        for (int k = 0; k < n; k++) {
            double hue = k / (double) n;
            int i = (int) (hue * 6.0);
            double f = hue * 6.0 - i;
            double p = 0;
            double q = 1.0 - f;
            double t = 1.0 - (1.0 - f);
            double[] rgb = switch (i % 6) {
                case 0 -> new double[] {1, t, p};
                case 1 -> new double[] {q, 1, p};
                case 2 -> new double[] {p, 1, t};
                case 3 -> new double[] {p, q, 1};
                case 4 -> new double[] {t, p, 1};
                default -> new double[] {1, p, q};
            };
            colours[k] = new double[] {rgb[0] * 255, rgb[1] * 255, rgb[2] * 255};
        }
        return colours;
    }

    private static boolean finite(double x, double y) {
        return Double.isFinite(x) && Double.isFinite(y);
    }

    /** Python's int(): truncation toward zero (clamped to the int range OpenCV accepts). */
    private static int toInt(double v) {
        return (int) Math.max(Integer.MIN_VALUE / 2, Math.min(Integer.MAX_VALUE / 2, v));
    }
}
