package io.github.wananimate.preprocess.image;

import java.util.Arrays;
import java.util.Objects;

/**
 * An 8-bit RGB image, rows top to bottom, pixels interleaved R, G, B. The array is owned by the image and
 * mutable (renderers draw into it); {@link #copy()} when a caller needs its own.
 */
public final class RgbImage {

    private final int width;
    private final int height;
    private final byte[] pixels;

    public RgbImage(int width, int height, byte[] pixels) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        Objects.requireNonNull(pixels, "pixels");
        if (pixels.length != (long) width * height * 3) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs "
                    + (long) width * height * 3 + " bytes, got " + pixels.length);
        }
        this.width = width;
        this.height = height;
        this.pixels = pixels;
    }

    /** A black image. */
    public static RgbImage black(int width, int height) {
        return new RgbImage(width, height, new byte[Math.multiplyExact(Math.multiplyExact(width, height), 3)]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The backing array (not a copy). */
    public byte[] pixels() {
        return pixels;
    }

    /** Channel {@code c} (0 = R) of pixel (x, y), 0…255. */
    public int get(int x, int y, int c) {
        return pixels[(y * width + x) * 3 + c] & 0xFF;
    }

    public void set(int x, int y, int r, int g, int b) {
        int i = (y * width + x) * 3;
        pixels[i] = (byte) r;
        pixels[i + 1] = (byte) g;
        pixels[i + 2] = (byte) b;
    }

    /** The pixel (x, y) as 0xRRGGBB. */
    public int rgb(int x, int y) {
        int i = (y * width + x) * 3;
        return (pixels[i] & 0xFF) << 16 | (pixels[i + 1] & 0xFF) << 8 | (pixels[i + 2] & 0xFF);
    }

    public RgbImage copy() {
        return new RgbImage(width, height, pixels.clone());
    }

    /** The same pixels with R and B exchanged (the BGR↔RGB conversion of PIPELINE.md §3.4). */
    public RgbImage swapRedBlue() {
        byte[] out = new byte[pixels.length];
        for (int i = 0; i < pixels.length; i += 3) {
            out[i] = pixels[i + 2];
            out[i + 1] = pixels[i + 1];
            out[i + 2] = pixels[i];
        }
        return new RgbImage(width, height, out);
    }

    /** Rows {@code y0 ≤ y < y1} and columns {@code x0 ≤ x < x1}; the range must lie inside the image. */
    public RgbImage crop(int x0, int y0, int x1, int y1) {
        if (x0 < 0 || y0 < 0 || x1 > width || y1 > height || x1 <= x0 || y1 <= y0) {
            throw new IllegalArgumentException("crop [" + x0 + ", " + x1 + ") x [" + y0 + ", " + y1
                    + ") is empty or outside a " + width + "x" + height + " image");
        }
        int w = x1 - x0;
        byte[] out = new byte[w * (y1 - y0) * 3];
        for (int y = y0; y < y1; y++) {
            System.arraycopy(pixels, (y * width + x0) * 3, out, (y - y0) * w * 3, w * 3);
        }
        return new RgbImage(w, y1 - y0, out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage other && other.width == width && other.height == height
                && Arrays.equals(other.pixels, pixels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(pixels);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}
