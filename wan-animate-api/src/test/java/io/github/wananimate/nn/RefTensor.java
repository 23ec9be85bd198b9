package io.github.wananimate.nn;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java double-precision tensor: the reference that backend results are compared against, and (through
 * {@link RefOps} / {@link RefBackend}) the executor that runs networks in this module's tests. Written for clarity
 * over flat row-major arrays; loops walk strides rather than decoding every index, so tiny network configurations
 * run in seconds. Every value is a double and every sum accumulates in double.
 */
public final class RefTensor {

    private final long[] shape;
    private final double[] values;

    public RefTensor(long[] shape, double[] values) {
        if (Shapes.elementCount(shape) != values.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + Shapes.elementCount(shape) + " values, got " + values.length);
        }
        this.shape = shape.clone();
        this.values = values;
    }

    public static RefTensor of(HostTensor t) {
        float[] f = t.toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return new RefTensor(t.shape(), d);
    }

    /** The values rounded to float32, as a backend would return them. */
    public HostTensor toHost() {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) values[i];
        }
        return HostTensor.ofFloats(shape, f);
    }

    public long[] shape() {
        return shape.clone();
    }

    public double[] values() {
        return values;
    }

    public int rank() {
        return shape.length;
    }

    public double get(long... index) {
        return values[(int) flat(shape, index)];
    }

    // ------------------------------------------------------------------ index helpers

    static long[] strides(long[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= shape[i];
        }
        return s;
    }

    static long flat(long[] shape, long[] index) {
        long f = 0;
        for (int i = 0; i < shape.length; i++) {
            f = f * shape[i] + index[i];
        }
        return f;
    }

    static long[] unflat(long[] shape, long flat) {
        long[] idx = new long[shape.length];
        for (int i = shape.length - 1; i >= 0; i--) {
            idx[i] = flat % shape[i];
            flat /= shape[i];
        }
        return idx;
    }

    static int axis(int axis, int rank) {
        int a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        }
        return a;
    }

    private static int count(long[] shape) {
        return Math.toIntExact(Shapes.elementCount(shape));
    }

    /** Product of {@code shape[from..to-1]}. */
    private static int product(long[] shape, int from, int to) {
        int n = 1;
        for (int i = from; i < to; i++) {
            n *= (int) shape[i];
        }
        return n;
    }

    /**
     * For every element of a tensor of shape {@code out} (row-major), the flat index {@code Σ index[d] · stride[d]}
     * into some source array: the per-axis strides express a broadcast (stride 0), a permutation or a strided
     * window. Walks the output with a counter instead of decoding every index.
     */
    private static int[] gatherIndex(long[] out, long[] sourceStridesPerOutAxis) {
        int total = count(out);
        int[] idx = new int[total];
        int r = out.length;
        int[] counter = new int[r];
        long pos = 0;
        for (int k = 0; k < total; k++) {
            idx[k] = (int) pos;
            for (int d = r - 1; d >= 0; d--) {
                counter[d]++;
                pos += sourceStridesPerOutAxis[d];
                if (counter[d] < out[d]) {
                    break;
                }
                pos -= sourceStridesPerOutAxis[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }

    private static int[] broadcastIndex(long[] source, long[] out) {
        long[] srcStrides = strides(source);
        int offset = out.length - source.length;
        long[] perAxis = new long[out.length];
        for (int i = 0; i < out.length; i++) {
            int si = i - offset;
            perAxis[i] = si < 0 || source[si] == 1 ? 0 : srcStrides[si];
        }
        return gatherIndex(out, perAxis);
    }

    // ------------------------------------------------------------------ element-wise

    public RefTensor map(DoubleUnaryOperator f) {
        double[] out = new double[values.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(values[i]);
        }
        return new RefTensor(shape, out);
    }

    public static long[] broadcastShape(long[] a, long[] b) {
        int rank = Math.max(a.length, b.length);
        long[] out = new long[rank];
        for (int i = 0; i < rank; i++) {
            long da = i < rank - a.length ? 1 : a[i - (rank - a.length)];
            long db = i < rank - b.length ? 1 : b[i - (rank - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " and "
                        + Arrays.toString(b));
            }
            out[i] = da == 1 ? db : da;
        }
        return out;
    }

    public RefTensor broadcastTo(long... target) {
        if (!Arrays.equals(broadcastShape(shape, target), target)) {
            throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(shape) + " to "
                    + Arrays.toString(target));
        }
        int[] idx = broadcastIndex(shape, target);
        double[] out = new double[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = values[idx[i]];
        }
        return new RefTensor(target, out);
    }

    public RefTensor zip(RefTensor other, DoubleBinaryOperator f) {
        long[] s = broadcastShape(shape, other.shape);
        int[] ia = broadcastIndex(shape, s);
        int[] ib = broadcastIndex(other.shape, s);
        double[] out = new double[ia.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(values[ia[i]], other.values[ib[i]]);
        }
        return new RefTensor(s, out);
    }

    public RefTensor add(RefTensor o) {
        return zip(o, Double::sum);
    }

    public RefTensor sub(RefTensor o) {
        return zip(o, (x, y) -> x - y);
    }

    public RefTensor mul(RefTensor o) {
        return zip(o, (x, y) -> x * y);
    }

    public RefTensor div(RefTensor o) {
        return zip(o, (x, y) -> x / y);
    }

    /** The error function in double precision (Taylor series near 0, continued fraction for erfc beyond). */
    public static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 3.0) {
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int n = 1; n < 200 && Math.abs(term) > 1e-17 * Math.abs(sum); n++) {
                term *= -x2 / n;
                sum += term / (2 * n + 1);
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        // erfc(x) = exp(-x²)/√π · 1/(x + 1/2/(x + 1/(x + 3/2/(x + ...)))) (Lentz-free, evaluated backwards)
        double frac = ax;
        for (int k = 60; k >= 1; k--) {
            frac = ax + (k / 2.0) / frac;
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / frac;
        return Math.signum(x) * (1.0 - erfc);
    }

    // ------------------------------------------------------------------ reductions

    /** Folds {@code axis} with {@code fold}, starting from {@code initial}; the result keeps the axis as size 1. */
    private RefTensor reduce(int axis, double initial, DoubleBinaryOperator fold) {
        int a = axis(axis, rank());
        int outer = product(shape, 0, a);
        int len = (int) shape[a];
        int inner = product(shape, a + 1, rank());
        double[] out = new double[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                double acc = initial;
                for (int l = 0; l < len; l++) {
                    acc = fold.applyAsDouble(acc, values[(o * len + l) * inner + in]);
                }
                out[o * inner + in] = acc;
            }
        }
        long[] outShape = shape.clone();
        outShape[a] = 1;
        return new RefTensor(outShape, out);
    }

    public RefTensor sum(int axis, boolean keepDims) {
        RefTensor r = reduce(axis, 0.0, Double::sum);
        return keepDims ? r : r.squeeze(axis(axis, rank()));
    }

    public RefTensor mean(int axis, boolean keepDims) {
        long n = shape[axis(axis, rank())];
        return sum(axis, keepDims).map(v -> v / n);
    }

    /** Maximum over {@code axis}, kept as size 1. */
    public RefTensor max(int axis) {
        return reduce(axis, Double.NEGATIVE_INFINITY, Math::max);
    }

    public RefTensor squeeze(int axis) {
        long[] s = new long[rank() - 1];
        for (int i = 0, j = 0; i < rank(); i++) {
            if (i != axis) {
                s[j++] = shape[i];
            }
        }
        return new RefTensor(s, values);
    }

    public RefTensor softmax(int axis) {
        RefTensor e = sub(max(axis)).map(Math::exp);
        return e.div(e.sum(axis, true));
    }

    public RefTensor layerNorm(RefTensor weight, RefTensor bias, double eps) {
        RefTensor centered = sub(mean(-1, true));
        RefTensor var = centered.mul(centered).mean(-1, true);
        RefTensor out = centered.div(var.map(v -> Math.sqrt(v + eps)));
        if (weight != null) {
            out = out.mul(weight);
        }
        if (bias != null) {
            out = out.add(bias);
        }
        return out;
    }

    public RefTensor rmsNorm(RefTensor weight, double eps) {
        RefTensor out = div(mul(this).mean(-1, true).map(v -> Math.sqrt(v + eps)));
        return weight == null ? out : out.mul(weight);
    }

    // ------------------------------------------------------------------ linear algebra

    /** Batched matrix product with NumPy broadcasting over the leading axes (both operands rank ≥ 2). */
    public RefTensor matmul(RefTensor b) {
        if (rank() < 2 || b.rank() < 2) {
            throw new IllegalArgumentException("matmul needs rank >= 2 operands, got " + Arrays.toString(shape)
                    + " x " + Arrays.toString(b.shape));
        }
        int m = (int) shape[rank() - 2];
        int k = (int) shape[rank() - 1];
        int n = (int) b.shape[b.rank() - 1];
        if (b.shape[b.rank() - 2] != k) {
            throw new IllegalArgumentException("matmul " + Arrays.toString(shape) + " x " + Arrays.toString(b.shape));
        }
        long[] aBatch = Arrays.copyOf(shape, rank() - 2);
        long[] bBatch = Arrays.copyOf(b.shape, b.rank() - 2);
        long[] batch = broadcastShape(aBatch, bBatch);
        int[] aMatrix = broadcastIndex(aBatch, batch);
        int[] bMatrix = broadcastIndex(bBatch, batch);
        double[] out = new double[aMatrix.length * m * n];
        for (int p = 0; p < aMatrix.length; p++) {
            int aBase = aMatrix[p] * m * k;
            int bBase = bMatrix[p] * k * n;
            int oBase = p * m * n;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < k; q++) {
                        acc += values[aBase + i * k + q] * b.values[bBase + q * n + j];
                    }
                    out[oBase + i * n + j] = acc;
                }
            }
        }
        return new RefTensor(concatShape(batch, m, n), out);
    }

    private static long[] concatShape(long[] head, long... tail) {
        long[] s = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, s, head.length, tail.length);
        return s;
    }

    /** {@code x · weightᵀ + bias}. */
    public RefTensor linear(RefTensor weight, RefTensor bias) {
        if (weight.rank() != 2 || shape[rank() - 1] != weight.shape[1]) {
            throw new IllegalArgumentException("linear: input " + Arrays.toString(shape) + " does not fit weight "
                    + Arrays.toString(weight.shape));
        }
        RefTensor out = matmul(weight.permute(1, 0));
        return bias == null ? out : out.add(bias);
    }

    /** PyTorch convNd with explicit (possibly asymmetric) zero padding. */
    public RefTensor conv(RefTensor weight, RefTensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups) {
        int k = rank() - 2;
        if (k < 1 || weight.rank() != rank() || shape[1] != weight.shape[1] * groups
                || weight.shape[0] % groups != 0) {
            throw new IllegalArgumentException("conv: input " + Arrays.toString(shape) + " does not fit weight "
                    + Arrays.toString(weight.shape) + " with groups " + groups);
        }
        long[] before = new long[rank()];
        long[] after = new long[rank()];
        for (int i = 0; i < k; i++) {
            before[i + 2] = padBegin[i];
            after[i + 2] = padEnd[i];
        }
        RefTensor x = pad(before, after, 0.0);
        int batch = (int) x.shape[0];
        int inChannels = (int) x.shape[1];
        int outChannels = (int) weight.shape[0];
        int inPerGroup = inChannels / groups;
        int outPerGroup = outChannels / groups;
        long[] kernel = Arrays.copyOfRange(weight.shape, 2, weight.rank());
        long[] inSpatial = Arrays.copyOfRange(x.shape, 2, x.rank());
        long[] outSpatial = new long[k];
        for (int i = 0; i < k; i++) {
            outSpatial[i] = (inSpatial[i] - kernel[i]) / stride[i] + 1;
        }
        long[] inSpatialStrides = strides(inSpatial);
        // Offset of every kernel tap inside one input channel plane, and of every output position's window start.
        int[] taps = gatherIndex(kernel, inSpatialStrides);
        long[] windowStrides = new long[k];
        for (int i = 0; i < k; i++) {
            windowStrides[i] = inSpatialStrides[i] * stride[i];
        }
        int[] windows = gatherIndex(outSpatial, windowStrides);
        int plane = count(inSpatial);
        int tapCount = taps.length;
        double[] out = new double[batch * outChannels * windows.length];
        for (int nb = 0; nb < batch; nb++) {
            for (int oc = 0; oc < outChannels; oc++) {
                int g = oc / outPerGroup;
                double start = bias == null ? 0.0 : bias.values[oc];
                for (int w = 0; w < windows.length; w++) {
                    double acc = start;
                    for (int ic = 0; ic < inPerGroup; ic++) {
                        int xBase = (nb * inChannels + g * inPerGroup + ic) * plane + windows[w];
                        int wBase = (oc * inPerGroup + ic) * tapCount;
                        for (int t = 0; t < tapCount; t++) {
                            acc += x.values[xBase + taps[t]] * weight.values[wBase + t];
                        }
                    }
                    out[(nb * outChannels + oc) * windows.length + w] = acc;
                }
            }
        }
        return new RefTensor(concatShape(new long[] {batch, outChannels}, outSpatial), out);
    }

    /** {@code softmax(q·kᵀ·scale + bias)·v}. */
    public static RefTensor attention(RefTensor q, RefTensor k, RefTensor v, RefTensor bias, double scale) {
        int r = k.rank();
        int[] swap = new int[r];
        for (int i = 0; i < r; i++) {
            swap[i] = i;
        }
        swap[r - 1] = r - 2;
        swap[r - 2] = r - 1;
        RefTensor scores = q.matmul(k.permute(swap)).map(s -> s * scale);
        if (bias != null) {
            scores = scores.add(bias);
        }
        return scores.softmax(-1).matmul(v);
    }

    // ------------------------------------------------------------------ layout

    public RefTensor reshape(long... newShape) {
        long[] s = newShape.clone();
        int unknown = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1) {
                if (unknown >= 0) {
                    throw new IllegalArgumentException("reshape " + Arrays.toString(newShape) + ": more than one -1");
                }
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            s[unknown] = known == 0 ? 0 : values.length / known;
        }
        if (Shapes.elementCount(s) != values.length) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to "
                    + Arrays.toString(newShape));
        }
        return new RefTensor(s, values);
    }

    public RefTensor permute(int... axes) {
        if (axes.length != rank()) {
            throw new IllegalArgumentException("permute " + Arrays.toString(axes) + " of rank-" + rank() + " tensor");
        }
        long[] outShape = new long[rank()];
        long[] inStrides = strides(shape);
        long[] perAxis = new long[rank()];
        for (int i = 0; i < axes.length; i++) {
            outShape[i] = shape[axes[i]];
            perAxis[i] = inStrides[axes[i]];
        }
        int[] idx = gatherIndex(outShape, perAxis);
        double[] out = new double[values.length];
        for (int f = 0; f < out.length; f++) {
            out[f] = values[idx[f]];
        }
        return new RefTensor(outShape, out);
    }

    public RefTensor slice(int axis, long start, long end) {
        int a = axis(axis, rank());
        if (start < 0 || end > shape[a] || start > end) {
            throw new IllegalArgumentException("slice [" + start + ", " + end + ") of axis " + a + " of "
                    + Arrays.toString(shape));
        }
        int outer = product(shape, 0, a);
        int len = (int) shape[a];
        int inner = product(shape, a + 1, rank());
        int newLen = (int) (end - start);
        double[] out = new double[outer * newLen * inner];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(values, (o * len + (int) start) * inner, out, o * newLen * inner, newLen * inner);
        }
        long[] outShape = shape.clone();
        outShape[a] = newLen;
        return new RefTensor(outShape, out);
    }

    public static RefTensor concat(int axis, List<RefTensor> parts) {
        RefTensor first = parts.get(0);
        int a = axis(axis, first.rank());
        long[] outShape = first.shape();
        outShape[a] = 0;
        for (RefTensor p : parts) {
            if (!sameExcept(p.shape, first.shape, a)) {
                throw new IllegalArgumentException("concat on axis " + a + ": " + Arrays.toString(p.shape)
                        + " does not match " + Arrays.toString(first.shape));
            }
            outShape[a] += p.shape[a];
        }
        int outer = product(outShape, 0, a);
        int inner = product(outShape, a + 1, outShape.length);
        int total = (int) outShape[a];
        double[] out = new double[count(outShape)];
        int offset = 0;
        for (RefTensor p : parts) {
            int len = (int) p.shape[a];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(p.values, o * len * inner, out, (o * total + offset) * inner, len * inner);
            }
            offset += len;
        }
        return new RefTensor(outShape, out);
    }

    private static boolean sameExcept(long[] a, long[] b, int axis) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (i != axis && a[i] != b[i]) {
                return false;
            }
        }
        return true;
    }

    public RefTensor pad(long[] before, long[] after, double value) {
        if (before.length != rank() || after.length != rank()) {
            throw new IllegalArgumentException("pad of rank-" + rank() + " tensor needs rank-length arrays, got "
                    + Arrays.toString(before) + " / " + Arrays.toString(after));
        }
        long[] outShape = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            if (before[i] < 0 || after[i] < 0) {
                throw new IllegalArgumentException("negative padding " + Arrays.toString(before) + " / "
                        + Arrays.toString(after));
            }
            outShape[i] = shape[i] + before[i] + after[i];
        }
        double[] out = new double[count(outShape)];
        Arrays.fill(out, value);
        // Every source element lands at its own index shifted by `before`: walk the source, write by strides.
        long[] outStrides = strides(outShape);
        long origin = 0;
        for (int i = 0; i < rank(); i++) {
            origin += before[i] * outStrides[i];
        }
        int[] target = gatherIndex(shape, outStrides);
        for (int f = 0; f < values.length; f++) {
            out[(int) origin + target[f]] = values[f];
        }
        return new RefTensor(outShape, out);
    }
}
