package io.github.wananimate.video;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * One immutable 8-bit RGB image, row-major, 3 interleaved bytes per pixel (R, G, B). Used for video frames,
 * the reference image and masks (a mask frame is read from its red channel, as the original does, §2.1).
 */
public final class Frame {

    private final int width;
    private final int height;
    private final byte[] rgb;

    private Frame(int width, int height, byte[] rgb) {
        this.width = width;
        this.height = height;
        this.rgb = rgb;
    }

    /**
     * A frame copied from interleaved RGB bytes.
     *
     * @param width pixels per row, positive
     * @param height rows, positive
     * @param rgb {@code 3 · width · height} bytes, row-major, R G B per pixel (copied)
     * @return the frame
     * @throws IllegalArgumentException naming the size when it is not positive or the byte count does not match
     */
    public static Frame ofRgb(int width, int height, byte[] rgb) {
        checkSize(width, height);
        long expected = 3L * width * height;
        if (rgb.length != expected) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB frame needs " + expected
                    + " bytes, got " + rgb.length);
        }
        return new Frame(width, height, rgb.clone());
    }

    /**
     * An all-black frame.
     *
     * @param width pixels per row, positive
     * @param height rows, positive
     * @return the frame
     */
    public static Frame black(int width, int height) {
        checkSize(width, height);
        return new Frame(width, height, new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))]);
    }

    /**
     * A grey frame where every channel of every pixel holds {@code value}, e.g. a constant mask.
     *
     * @param width pixels per row, positive
     * @param height rows, positive
     * @param value 0–255
     * @return the frame
     */
    public static Frame filled(int width, int height, int value) {
        checkSize(width, height);
        if (value < 0 || value > 255) {
            throw new IllegalArgumentException("frame fill value must be in 0..255, got " + value);
        }
        byte[] bytes = new byte[Math.multiplyExact(3, Math.multiplyExact(width, height))];
        Arrays.fill(bytes, (byte) value);
        return new Frame(width, height, bytes);
    }

    /** {@return pixels per row} */
    public int width() {
        return width;
    }

    /** {@return rows} */
    public int height() {
        return height;
    }

    /**
     * One sample.
     *
     * @param x column, 0-based
     * @param y row, 0-based
     * @param c channel: 0 = R, 1 = G, 2 = B
     * @return its value, 0–255
     */
    public int sample(int x, int y, int c) {
        return rgb[(y * width + x) * 3 + c] & 0xff;
    }

    /** {@return a copy of the interleaved RGB bytes} */
    public byte[] toRgbBytes() {
        return rgb.clone();
    }

    /** {@return the interleaved RGB bytes as a read-only view (no copy)} */
    public ByteBuffer rgb() {
        return ByteBuffer.wrap(rgb).asReadOnlyBuffer();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Frame f && f.width == width && f.height == height && Arrays.equals(f.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "Frame{" + width + "x" + height + "}";
    }

    private static void checkSize(int width, int height) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("frame size must be positive, got " + width + "x" + height);
        }
    }
}
