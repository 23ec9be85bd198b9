package io.github.wananimate.samples;

import io.github.wananimate.video.Frame;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * A side-by-side sheet of labelled panels (character | driving frame | pose | output), each scaled to the same
 * height keeping its aspect ratio (nearest neighbour when enlarging small frames, so pixels stay visible).
 */
final class PreviewSheet {

    /** Outer margin and gap between panels, in pixels. */
    static final int MARGIN = 8;
    /** Height of the caption strip above the panels. */
    static final int CAPTION = 20;

    /** One labelled image. */
    record Panel(String label, Frame frame) {
    }

    private PreviewSheet() {
    }

    /** Width of {@code frame} scaled to {@code panelHeight}. */
    static int panelWidth(Frame frame, int panelHeight) {
        return Math.max(1, (int) Math.round((double) frame.width() * panelHeight / frame.height()));
    }

    /**
     * Composes the sheet: width = 2·MARGIN + Σ panel widths + (n−1)·MARGIN, height = 2·MARGIN + CAPTION +
     * panelHeight.
     */
    static BufferedImage compose(List<Panel> panels, int panelHeight) {
        if (panels.isEmpty() || panelHeight < 1) {
            throw new IllegalArgumentException("a preview needs at least one panel and a positive height");
        }
        int width = 2 * MARGIN + (panels.size() - 1) * MARGIN;
        for (Panel p : panels) {
            width += panelWidth(p.frame(), panelHeight);
        }
        int height = 2 * MARGIN + CAPTION + panelHeight;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        g.setColor(new Color(24, 24, 24));
        g.fillRect(0, 0, width, height);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        int x = MARGIN;
        for (Panel p : panels) {
            int w = panelWidth(p.frame(), panelHeight);
            boolean enlarging = panelHeight > p.frame().height();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, enlarging
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(Images.toImage(p.frame()), x, MARGIN + CAPTION, w, panelHeight, null);
            g.setColor(Color.WHITE);
            g.drawString(p.label(), x, MARGIN + CAPTION - 6);
            x += w + MARGIN;
        }
        g.dispose();
        return sheet;
    }
}
