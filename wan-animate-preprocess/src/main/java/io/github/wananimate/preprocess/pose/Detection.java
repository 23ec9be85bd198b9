package io.github.wananimate.preprocess.pose;

/**
 * A detector box after NMS, integer pixel corners as the original keeps them (PIPELINE.md §3.5).
 *
 * @param x1 left
 * @param y1 top
 * @param x2 right
 * @param y2 bottom
 * @param score detector score
 * @param classId detector class (0 = person)
 */
public record Detection(int x1, int y1, int x2, int y2, float score, int classId) {

    public int width() {
        return x2 - x1;
    }

    public int height() {
        return y2 - y1;
    }

    public long area() {
        return (long) width() * height();
    }

    public double centerX() {
        return (x1 + x2) / 2.0;
    }

    public double centerY() {
        return (y1 + y2) / 2.0;
    }

    /** Intersection over union with another box (pixel areas w·h, as OpenCV's Rect). */
    public double iou(Detection o) {
        return iou(x1, y1, x2, y2, o.x1, o.y1, o.x2, o.y2);
    }

    static double iou(double ax1, double ay1, double ax2, double ay2, double bx1, double by1, double bx2, double by2) {
        double iw = Math.min(ax2, bx2) - Math.max(ax1, bx1);
        double ih = Math.min(ay2, by2) - Math.max(ay1, by1);
        double inter = iw > 0 && ih > 0 ? iw * ih : 0;
        double union = (ax2 - ax1) * (ay2 - ay1) + (bx2 - bx1) * (by2 - by1) - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
