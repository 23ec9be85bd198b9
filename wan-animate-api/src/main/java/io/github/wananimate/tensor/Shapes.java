package io.github.wananimate.tensor;

import java.util.Arrays;

/** Small helpers on shapes ({@code long[]}). */
public final class Shapes {

    private Shapes() {
    }

    /**
     * Elements of a shape.
     *
     * @param shape the shape
     * @return the product of the dimensions
     */
    public static long elementCount(long[] shape) {
        long n = 1;
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /**
     * A shape as text.
     *
     * @param shape the shape
     * @return {@code [d0, d1, …]}
     */
    public static String toString(long[] shape) {
        return Arrays.toString(shape);
    }
}
