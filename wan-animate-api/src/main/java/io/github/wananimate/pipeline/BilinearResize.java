package io.github.wananimate.pipeline;

import io.github.wananimate.video.Frame;

/**
 * OpenCV {@code cv2.resize(..., INTER_LINEAR)} of an 8-bit RGB image, the integer path of OpenCV's reference
 * (non-SIMD) implementation: half-pixel centres, no antialiasing, 11-bit fixed-point weights
 * ({@code INTER_RESIZE_COEF_SCALE} = 2048) rounded with {@code cvRound}, horizontal pass into 32-bit sums, vertical
 * pass {@code (a·b0 + b·b1 + 2^21) >> 22} saturated to 0–255. Horizontally the source index and weight are
 * clamped at the borders; vertically the rows are clamped, as OpenCV does.
 *
 * <p>Doubt, documented on purpose: OpenCV's SIMD vertical pass ({@code VResizeLinearVec_32s8u}) pre-shifts the
 * 32-bit sums by 4 and uses 16-bit high multiplies, which can differ from this formula by 1 in the last bit on some
 * pixels; which pixels take the SIMD path depends on the CPU's vector width. Bit-exact parity with a given OpenCV
 * build needs OpenCV itself (the preprocess module has it). An exact 2× downscale, which OpenCV turns into
 * INTER_AREA, gives the same values as this formula.
 */
public final class BilinearResize {

    static final int COEF_BITS = 11;
    static final int COEF_SCALE = 1 << COEF_BITS;

    private BilinearResize() {
    }

    /** {@code src} resized to {@code dstWidth}×{@code dstHeight}; the same image when the size is unchanged. */
    public static Frame resize(Frame src, int dstWidth, int dstHeight) {
        int sw = src.width();
        int sh = src.height();
        if (dstWidth <= 0 || dstHeight <= 0) {
            throw new IllegalArgumentException("resize target must be positive, got " + dstWidth + "x" + dstHeight);
        }
        if (sw == dstWidth && sh == dstHeight) {
            return src;
        }
        // OpenCV: inv_scale = dsize/ssize, scale = 1./inv_scale; f = (float)((d + 0.5)·scale − 0.5).
        double scaleX = 1.0 / ((double) dstWidth / sw);
        double scaleY = 1.0 / ((double) dstHeight / sh);

        int[] x0 = new int[dstWidth];
        int[] x1 = new int[dstWidth];
        int[] ax0 = new int[dstWidth];
        int[] ax1 = new int[dstWidth];
        for (int dx = 0; dx < dstWidth; dx++) {
            float fx = (float) ((dx + 0.5) * scaleX - 0.5);
            int sx = (int) Math.floor(fx);
            fx -= sx;
            if (sx < 0) {
                fx = 0;
                sx = 0;
            }
            if (sx >= sw - 1) {
                fx = 0;
                sx = sw - 1;
            }
            x0[dx] = sx;
            x1[dx] = Math.min(sx + 1, sw - 1);
            ax0[dx] = coefficient(1f - fx);
            ax1[dx] = coefficient(fx);
        }

        byte[] s = src.toRgbBytes();
        byte[] out = new byte[3 * dstWidth * dstHeight];
        int[] row0 = new int[3 * dstWidth];
        int[] row1 = new int[3 * dstWidth];
        for (int dy = 0; dy < dstHeight; dy++) {
            float fy = (float) ((dy + 0.5) * scaleY - 0.5);
            int sy = (int) Math.floor(fy);
            fy -= sy;
            int b0 = coefficient(1f - fy);
            int b1 = coefficient(fy);
            horizontal(s, sw, clampRow(sy, sh), x0, x1, ax0, ax1, row0);
            horizontal(s, sw, clampRow(sy + 1, sh), x0, x1, ax0, ax1, row1);
            int base = dy * dstWidth * 3;
            for (int k = 0; k < row0.length; k++) {
                int v = (row0[k] * b0 + row1[k] * b1 + (1 << (2 * COEF_BITS - 1))) >> (2 * COEF_BITS);
                out[base + k] = (byte) Math.max(0, Math.min(255, v));
            }
        }
        return Frame.ofRgb(dstWidth, dstHeight, out);
    }

    /** {@code saturate_cast<short>(w·2048)}: round half to even, as {@code cvRound} does. */
    static int coefficient(float weight) {
        return (int) Math.rint(weight * COEF_SCALE);
    }

    private static int clampRow(int y, int height) {
        return Math.max(0, Math.min(height - 1, y));
    }

    private static void horizontal(byte[] s, int sw, int sy, int[] x0, int[] x1, int[] ax0, int[] ax1, int[] row) {
        int rowBase = sy * sw * 3;
        for (int dx = 0; dx < x0.length; dx++) {
            int p0 = rowBase + x0[dx] * 3;
            int p1 = rowBase + x1[dx] * 3;
            for (int c = 0; c < 3; c++) {
                row[dx * 3 + c] = (s[p0 + c] & 0xff) * ax0[dx] + (s[p1 + c] & 0xff) * ax1[dx];
            }
        }
    }
}
