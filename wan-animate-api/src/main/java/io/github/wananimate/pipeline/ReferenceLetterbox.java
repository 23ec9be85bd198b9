package io.github.wananimate.pipeline;

import io.github.wananimate.video.Frame;

/**
 * {@code padding_resize(img, H, W)} of {@code wan/animate.py} (PIPELINE.md §2.2): fit the reference inside H×W
 * keeping its aspect ratio, resize with INTER_LINEAR (even when downscaling), centre it, and leave the rest black.
 */
public final class ReferenceLetterbox {

    private ReferenceLetterbox() {
    }

    /**
     * The letterboxed reference.
     *
     * @throws IllegalArgumentException when the fitted side would be 0 pixels (an extreme aspect ratio)
     */
    public static Frame paddingResize(Frame image, int height, int width) {
        int h0 = image.height();
        int w0 = image.width();
        byte[] canvas = new byte[3 * height * width];
        Frame fitted;
        int offsetX = 0;
        int offsetY = 0;
        if ((double) h0 / w0 > (double) height / width) {
            int newWidth = (int) ((double) height / h0 * w0);
            checkSide(newWidth, image, height, width);
            fitted = BilinearResize.resize(image, newWidth, height);
            offsetX = (int) ((width - newWidth) / 2.0);
        } else {
            int newHeight = (int) ((double) width / w0 * h0);
            checkSide(newHeight, image, height, width);
            fitted = BilinearResize.resize(image, width, newHeight);
            offsetY = (int) ((height - newHeight) / 2.0);
        }
        byte[] rgb = fitted.toRgbBytes();
        for (int y = 0; y < fitted.height(); y++) {
            System.arraycopy(rgb, y * fitted.width() * 3, canvas, ((y + offsetY) * width + offsetX) * 3,
                    fitted.width() * 3);
        }
        return Frame.ofRgb(width, height, canvas);
    }

    private static void checkSide(int side, Frame image, int height, int width) {
        if (side < 1) {
            throw new IllegalArgumentException("reference of " + image.width() + "x" + image.height()
                    + " cannot be letterboxed into " + width + "x" + height + ": its fitted side would be 0 pixels");
        }
    }
}
