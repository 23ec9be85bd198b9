package io.github.wananimate.nn;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java double-precision tensor: the reference that backend results are compared against. Written for
 * clarity, not speed (index arithmetic over flat row-major arrays).
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
        return axis < 0 ? axis + rank : axis;
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
        int offset = target.length - shape.length;
        double[] out = new double[(int) Shapes.elementCount(target)];
        long[] src = new long[shape.length];
        for (int f = 0; f < out.length; f++) {
            long[] idx = unflat(target, f);
            for (int i = 0; i < shape.length; i++) {
                src[i] = shape[i] == 1 ? 0 : idx[i + offset];
            }
            out[f] = values[(int) flat(shape, src)];
        }
        return new RefTensor(target, out);
    }

    public RefTensor zip(RefTensor other, DoubleBinaryOperator f) {
        long[] s = broadcastShape(shape, other.shape);
        double[] a = broadcastTo(s).values;
        double[] b = other.broadcastTo(s).values;
        double[] out = new double[a.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = f.applyAsDouble(a[i], b[i]);
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

    public RefTensor sum(int axis, boolean keepDims) {
        int a = axis(axis, rank());
        long[] outShape = shape.clone();
        outShape[a] = 1;
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        for (int f = 0; f < values.length; f++) {
            long[] idx = unflat(shape, f);
            idx[a] = 0;
            out[(int) flat(outShape, idx)] += values[f];
        }
        RefTensor r = new RefTensor(outShape, out);
        return keepDims ? r : r.squeeze(a);
    }

    public RefTensor mean(int axis, boolean keepDims) {
        long n = shape[axis(axis, rank())];
        return sum(axis, keepDims).map(v -> v / n);
    }

    public RefTensor max(int axis) {
        int a = axis(axis, rank());
        long[] outShape = shape.clone();
        outShape[a] = 1;
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        Arrays.fill(out, Double.NEGATIVE_INFINITY);
        for (int f = 0; f < values.length; f++) {
            long[] idx = unflat(shape, f);
            idx[a] = 0;
            int o = (int) flat(outShape, idx);
            out[o] = Math.max(out[o], values[f]);
        }
        return new RefTensor(outShape, out);
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
        long m = shape[rank() - 2];
        long k = shape[rank() - 1];
        long n = b.shape[b.rank() - 1];
        if (b.shape[b.rank() - 2] != k) {
            throw new IllegalArgumentException("matmul " + Arrays.toString(shape) + " x " + Arrays.toString(b.shape));
        }
        long[] batch = broadcastShape(Arrays.copyOf(shape, rank() - 2), Arrays.copyOf(b.shape, b.rank() - 2));
        long[] aShape = concatShape(batch, m, k);
        long[] bShape = concatShape(batch, k, n);
        double[] av = broadcastTo(aShape).values;
        double[] bv = b.broadcastTo(bShape).values;
        long batches = Shapes.elementCount(batch);
        double[] out = new double[(int) (batches * m * n)];
        for (int p = 0; p < batches; p++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double acc = 0;
                    for (int q = 0; q < k; q++) {
                        acc += av[(int) ((p * m + i) * k + q)] * bv[(int) ((p * k + q) * n + j)];
                    }
                    out[(int) ((p * m + i) * n + j)] = acc;
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
        RefTensor out = matmul(weight.permute(1, 0));
        return bias == null ? out : out.add(bias);
    }

    /** PyTorch convNd with explicit (possibly asymmetric) zero padding. */
    public RefTensor conv(RefTensor weight, RefTensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups) {
        int k = rank() - 2;
        long[] before = new long[rank()];
        long[] after = new long[rank()];
        for (int i = 0; i < k; i++) {
            before[i + 2] = padBegin[i];
            after[i + 2] = padEnd[i];
        }
        RefTensor x = pad(before, after, 0.0);
        long batch = x.shape[0];
        long inChannels = x.shape[1];
        long outChannels = weight.shape[0];
        long inPerGroup = inChannels / groups;
        long outPerGroup = outChannels / groups;
        long[] kernel = Arrays.copyOfRange(weight.shape, 2, weight.rank());
        long[] outSpatial = new long[k];
        for (int i = 0; i < k; i++) {
            outSpatial[i] = (x.shape[i + 2] - kernel[i]) / stride[i] + 1;
        }
        long[] outShape = concatShape(new long[] {batch, outChannels}, outSpatial);
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        long kernelCount = Shapes.elementCount(kernel);
        long[] xIdx = new long[rank()];
        long[] wIdx = new long[weight.rank()];
        for (int f = 0; f < out.length; f++) {
            long[] o = unflat(outShape, f);
            long oc = o[1];
            long g = oc / outPerGroup;
            double acc = bias == null ? 0.0 : bias.values[(int) oc];
            for (long ic = 0; ic < inPerGroup; ic++) {
                for (long kf = 0; kf < kernelCount; kf++) {
                    long[] kIdx = unflat(kernel, kf);
                    xIdx[0] = o[0];
                    xIdx[1] = g * inPerGroup + ic;
                    wIdx[0] = oc;
                    wIdx[1] = ic;
                    for (int i = 0; i < k; i++) {
                        xIdx[i + 2] = o[i + 2] * stride[i] + kIdx[i];
                        wIdx[i + 2] = kIdx[i];
                    }
                    acc += x.values[(int) flat(x.shape, xIdx)] * weight.values[(int) flat(weight.shape, wIdx)];
                }
            }
            out[f] = acc;
        }
        return new RefTensor(outShape, out);
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
                unknown = i;
            } else {
                known *= s[i];
            }
        }
        if (unknown >= 0) {
            s[unknown] = values.length / known;
        }
        return new RefTensor(s, values);
    }

    public RefTensor permute(int... axes) {
        long[] outShape = new long[rank()];
        for (int i = 0; i < axes.length; i++) {
            outShape[i] = shape[axes[i]];
        }
        double[] out = new double[values.length];
        long[] src = new long[rank()];
        for (int f = 0; f < out.length; f++) {
            long[] idx = unflat(outShape, f);
            for (int i = 0; i < axes.length; i++) {
                src[axes[i]] = idx[i];
            }
            out[f] = values[(int) flat(shape, src)];
        }
        return new RefTensor(outShape, out);
    }

    public RefTensor slice(int axis, long start, long end) {
        int a = axis(axis, rank());
        long[] outShape = shape.clone();
        outShape[a] = end - start;
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        for (int f = 0; f < out.length; f++) {
            long[] idx = unflat(outShape, f);
            idx[a] += start;
            out[f] = values[(int) flat(shape, idx)];
        }
        return new RefTensor(outShape, out);
    }

    public static RefTensor concat(int axis, List<RefTensor> parts) {
        int a = axis(axis, parts.get(0).rank());
        long[] outShape = parts.get(0).shape();
        outShape[a] = parts.stream().mapToLong(p -> p.shape[a]).sum();
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        for (int f = 0; f < out.length; f++) {
            long[] idx = unflat(outShape, f);
            int part = 0;
            while (idx[a] >= parts.get(part).shape[a]) {
                idx[a] -= parts.get(part).shape[a];
                part++;
            }
            RefTensor p = parts.get(part);
            out[f] = p.values[(int) flat(p.shape, idx)];
        }
        return new RefTensor(outShape, out);
    }

    public RefTensor pad(long[] before, long[] after, double value) {
        long[] outShape = new long[rank()];
        for (int i = 0; i < rank(); i++) {
            outShape[i] = shape[i] + before[i] + after[i];
        }
        double[] out = new double[(int) Shapes.elementCount(outShape)];
        for (int f = 0; f < out.length; f++) {
            long[] idx = unflat(outShape, f);
            boolean inside = true;
            for (int i = 0; i < rank(); i++) {
                idx[i] -= before[i];
                inside &= idx[i] >= 0 && idx[i] < shape[i];
            }
            out[f] = inside ? values[(int) flat(shape, idx)] : value;
        }
        return new RefTensor(outShape, out);
    }
}
