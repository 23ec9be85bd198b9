package io.github.wananimate.preprocess.mask;

import java.util.Arrays;

/** A per-pixel 0/1 mask, row-major, 1 = character. */
public final class BinaryMask {

    private final int width;
    private final int height;
    private final byte[] bits;

    /** @param bits width·height values, each 0 or 1 (copied) */
    public BinaryMask(int width, int height, byte[] bits) {
        if (bits.length != width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " mask needs " + width * height
                    + " values, got " + bits.length);
        }
        for (byte b : bits) {
            if (b != 0 && b != 1) {
                throw new IllegalArgumentException("mask values must be 0 or 1, found " + b);
            }
        }
        this.width = width;
        this.height = height;
        this.bits = bits.clone();
    }

    public static BinaryMask empty(int width, int height) {
        return new BinaryMask(width, height, new byte[width * height]);
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    public boolean get(int x, int y) {
        return bits[y * width + x] != 0;
    }

    /** A copy of the 0/1 values. */
    public byte[] toBytes() {
        return bits.clone();
    }

    /** Number of pixels set. */
    public long area() {
        long n = 0;
        for (byte b : bits) {
            n += b;
        }
        return n;
    }

    /** Fraction of the frame covered. */
    public double coverage() {
        return (double) area() / bits.length;
    }

    /** Bounding box of the set pixels as x_min, y_min, x_max, y_max (inclusive); null when empty. */
    public int[] bounds() {
        return bounds(bits, width, height);
    }

    /** {@link #bounds()} of a row-major mask where any non-zero byte is set. */
    static int[] bounds(byte[] mask, int width, int height) {
        int x0 = Integer.MAX_VALUE;
        int y0 = Integer.MAX_VALUE;
        int x1 = -1;
        int y1 = -1;
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                if (mask[y * width + x] != 0) {
                    x0 = Math.min(x0, x);
                    x1 = Math.max(x1, x);
                    y0 = Math.min(y0, y);
                    y1 = Math.max(y1, y);
                }
            }
        }
        return x1 < 0 ? null : new int[] {x0, y0, x1, y1};
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BinaryMask m && m.width == width && m.height == height && Arrays.equals(m.bits, bits);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bits) * 31 + width;
    }
}
