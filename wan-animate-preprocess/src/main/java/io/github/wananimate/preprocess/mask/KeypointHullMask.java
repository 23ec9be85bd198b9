package io.github.wananimate.preprocess.mask;

import io.github.wananimate.preprocess.image.OpenCv;
import io.github.wananimate.preprocess.image.RgbImage;
import io.github.wananimate.preprocess.pose.AaLayout;
import io.github.wananimate.preprocess.pose.AaPose;
import io.github.wananimate.preprocess.pose.PoseMeta;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.opencv.global.opencv_imgproc;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Point;
import org.bytedeco.opencv.opencv_core.PointVector;
import org.bytedeco.opencv.opencv_core.Scalar;

/**
 * A mask that needs no model: the convex hull of the subject's confident keypoints (body, hands and face), grown by
 * a margin proportional to the body's size, plus thick limbs so that outstretched arms are covered. Coarser than
 * SAM2, but with the default dilation and w_len = h_len = 1 the original turns every mask into its bounding box
 * anyway (§3.12).
 */
public final class KeypointHullMask implements MaskModel {

    private final double minScore;
    private final double margin;

    /**
     * @param minScore keypoints below this score are ignored
     * @param margin growth as a fraction of the keypoints' bounding-box height
     */
    public KeypointHullMask(double minScore, double margin) {
        this.minScore = minScore;
        this.margin = margin;
    }

    public KeypointHullMask() {
        this(0.3, 0.06);
    }

    @Override
    public BinaryMask segment(RgbImage frame, PoseMeta pose) {
        AaPose px = pose.resizedTo(frame.width(), frame.height()).toPixels();
        List<double[]> points = new ArrayList<>();
        collect(px.body(), points);
        collect(px.leftHand(), points);
        collect(px.rightHand(), points);
        double[] face = px.face();
        for (int r = 1; r < AaLayout.FACE_ROWS; r++) {
            if (face[r * 3 + 2] >= minScore) {
                points.add(new double[] {face[r * 3], face[r * 3 + 1]});
            }
        }
        if (points.size() < 3) {
            return BinaryMask.empty(frame.width(), frame.height());
        }
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (double[] p : points) {
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        int grow = Math.max(1, (int) Math.round(margin * (maxY - minY)));
        List<double[]> hull = convexHull(points);
        try (Mat m = new Mat(frame.height(), frame.width(), org.bytedeco.opencv.global.opencv_core.CV_8UC1,
                new Scalar(0.0)); Scalar one = new Scalar(1.0)) {
            try (PointVector poly = new PointVector(hull.size())) {
                for (int i = 0; i < hull.size(); i++) {
                    poly.put(i, new Point((int) Math.round(hull.get(i)[0]), (int) Math.round(hull.get(i)[1])));
                }
                opencv_imgproc.fillConvexPoly(m, poly.get(0), hull.size(), one, opencv_imgproc.LINE_8, 0);
            }
            double[] body = px.body();
            for (int[] limb : AaLayout.LIMBS) {
                int a = limb[0] * 3;
                int b = limb[1] * 3;
                if (body[a + 2] >= minScore && body[b + 2] >= minScore) {
                    try (Point pa = new Point((int) body[a], (int) body[a + 1]);
                            Point pb = new Point((int) body[b], (int) body[b + 1])) {
                        opencv_imgproc.line(m, pa, pb, one, grow, opencv_imgproc.LINE_8, 0);
                    }
                }
            }
            byte[] bits = MaskPostprocess.dilate(OpenCv.toBytes(m), frame.width(), frame.height(), grow + 1, 1);
            return new BinaryMask(frame.width(), frame.height(), bits);
        }
    }

    private void collect(double[] kp, List<double[]> out) {
        if (kp == null) {
            return;
        }
        for (int i = 0; i < kp.length; i += 3) {
            if (kp[i + 2] >= minScore && Double.isFinite(kp[i]) && Double.isFinite(kp[i + 1])) {
                out.add(new double[] {kp[i], kp[i + 1]});
            }
        }
    }

    /** Andrew's monotone chain. */
    static List<double[]> convexHull(List<double[]> pts) {
        List<double[]> p = new ArrayList<>(pts);
        p.sort((a, b) -> a[0] != b[0] ? Double.compare(a[0], b[0]) : Double.compare(a[1], b[1]));
        List<double[]> hull = new ArrayList<>();
        for (int pass = 0; pass < 2; pass++) {
            int start = hull.size();
            for (double[] q : p) {
                while (hull.size() >= start + 2
                        && cross(hull.get(hull.size() - 2), hull.get(hull.size() - 1), q) <= 0) {
                    hull.remove(hull.size() - 1);
                }
                hull.add(q);
            }
            hull.remove(hull.size() - 1);
            java.util.Collections.reverse(p);
        }
        return hull;
    }

    private static double cross(double[] o, double[] a, double[] b) {
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
    }
}
