package io.github.wananimate.preprocess.demo;

import io.github.wananimate.video.Frame;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Line2D;
import java.awt.image.BufferedImage;

/**
 * Draws OpenPose body-18 keypoints the way the official pose videos look: coloured limbs and joints on black,
 * limb colours and order of OpenPose's {@code draw_bodypose}. Used for the bundled demo sample, whose keypoints
 * are stored losslessly and rendered at the generation size.
 */
final class PoseSkeleton {

    /** Limb end points (0-based body-18 indices), in drawing order. */
    private static final int[][] LIMBS = {{1, 2}, {1, 5}, {2, 3}, {3, 4}, {5, 6}, {6, 7}, {1, 8}, {8, 9}, {9, 10},
        {1, 11}, {11, 12}, {12, 13}, {1, 0}, {0, 14}, {14, 16}, {0, 15}, {15, 17}};
    private static final int[][] COLOURS = {{255, 0, 0}, {255, 85, 0}, {255, 170, 0}, {255, 255, 0}, {170, 255, 0},
        {85, 255, 0}, {0, 255, 0}, {0, 255, 85}, {0, 255, 170}, {0, 255, 255}, {0, 170, 255}, {0, 85, 255},
        {0, 0, 255}, {85, 0, 255}, {170, 0, 255}, {255, 0, 255}, {255, 0, 170}, {255, 0, 85}};

    private PoseSkeleton() {
    }

    /**
     * Renders one pose.
     *
     * @param keypoints 18 × [x, y, confidence] in source pixels; confidence 0 marks a point that is not visible
     * @param sourceWidth width of the frame the keypoints were placed on
     * @param sourceHeight its height
     * @param width output width (the source is scaled to it)
     * @param height output height
     */
    static Frame render(double[][] keypoints, int sourceWidth, int sourceHeight, int width, int height) {
        if (keypoints.length != 18) {
            throw new IllegalArgumentException("a body-18 pose needs 18 keypoints, got " + keypoints.length);
        }
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        double sx = (double) width / sourceWidth;
        double sy = (double) height / sourceHeight;
        // OpenPose draws sticks 4 px wide and joints of radius 4 on ~720-px-high frames; keep that proportion.
        float stick = (float) Math.max(1.0, 8.0 * height / 720);
        double joint = Math.max(1.0, 4.0 * height / 720);
        g.setStroke(new BasicStroke(stick, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        for (int i = 0; i < LIMBS.length; i++) {
            double[] a = keypoints[LIMBS[i][0]];
            double[] b = keypoints[LIMBS[i][1]];
            if (a[2] <= 0 || b[2] <= 0) {
                continue;
            }
            int[] c = COLOURS[i];
            g.setColor(new Color((int) (c[0] * 0.6), (int) (c[1] * 0.6), (int) (c[2] * 0.6)));
            g.draw(new Line2D.Double(a[0] * sx, a[1] * sy, b[0] * sx, b[1] * sy));
        }
        for (int k = 0; k < keypoints.length; k++) {
            double[] p = keypoints[k];
            if (p[2] <= 0) {
                continue;
            }
            int[] c = COLOURS[k];
            g.setColor(new Color(c[0], c[1], c[2]));
            g.fill(new Ellipse2D.Double(p[0] * sx - joint, p[1] * sy - joint, 2 * joint, 2 * joint));
        }
        g.dispose();
        byte[] rgb = new byte[3 * width * height];
        int[] row = new int[width];
        for (int y = 0; y < height; y++) {
            image.getRGB(0, y, width, 1, row, 0, width);
            for (int x = 0; x < width; x++) {
                int o = 3 * (y * width + x);
                rgb[o] = (byte) (row[x] >> 16);
                rgb[o + 1] = (byte) (row[x] >> 8);
                rgb[o + 2] = (byte) row[x];
            }
        }
        return Frame.ofRgb(width, height, rgb);
    }
}
