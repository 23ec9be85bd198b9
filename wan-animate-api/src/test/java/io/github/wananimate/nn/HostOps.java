package io.github.wananimate.nn;

import io.github.wananimate.tensor.HostTensor;
import io.github.wananimate.tensor.Shapes;
import io.github.wananimate.weights.ParameterSource;
import java.util.Arrays;
import java.util.List;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/**
 * A plain-Java, single-threaded executor of {@link Ops} for tests of the networks in this module (which has no
 * backend): float32 storage, double accumulation, naive loops. Slow; meant for tiny configurations only.
 */
public final class HostOps implements Ops {

    /** A host tensor: shape and row-major float32 values. */
    public record T(long[] shape, float[] data) implements Tensor {
        public HostTensor toHost() {
            return HostTensor.ofFloats(shape, data);
        }
    }

    private final ParameterSource parameters;

    public HostOps(ParameterSource parameters) {
        this.parameters = parameters;
    }

    public static T of(HostTensor t) {
        return new T(t.shape(), t.toFloatArray());
    }

    private static T t(Tensor x) {
        return (T) x;
    }

    private static int n(long[] shape) {
        return Math.toIntExact(Shapes.elementCount(shape));
    }

    private static int[] strides(long[] shape) {
        int[] s = new int[shape.length];
        int acc = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= (int) shape[i];
        }
        return s;
    }

    private static int axis(int axis, int rank) {
        return axis < 0 ? axis + rank : axis;
    }

    @Override
    public Tensor parameter(String key) {
        return of(parameters.get(key));
    }

    @Override
    public Tensor constant(HostTensor value) {
        return of(value);
    }

    // ------------------------------------------------------------------ element-wise

    private static long[] broadcastShape(long[] a, long[] b) {
        int r = Math.max(a.length, b.length);
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.length ? 1 : a[i - (r - a.length)];
            long db = i < r - b.length ? 1 : b[i - (r - b.length)];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException("cannot broadcast " + Arrays.toString(a) + " with "
                        + Arrays.toString(b));
            }
            out[i] = Math.max(da, db);
        }
        return out;
    }

    /** Index into {@code src} (shape {@code s}) of every element of the broadcast shape {@code out}. */
    private static int[] broadcastIndex(long[] s, long[] out) {
        int total = n(out);
        int[] idx = new int[total];
        int r = out.length;
        int[] srcStrides = strides(s);
        int[] bStrides = new int[r];
        for (int i = 0; i < r; i++) {
            int si = i - (r - s.length);
            bStrides[i] = si < 0 || s[si] == 1 ? 0 : srcStrides[si];
        }
        int[] counter = new int[r];
        int pos = 0;
        for (int k = 0; k < total; k++) {
            idx[k] = pos;
            for (int d = r - 1; d >= 0; d--) {
                counter[d]++;
                pos += bStrides[d];
                if (counter[d] < out[d]) {
                    break;
                }
                pos -= bStrides[d] * counter[d];
                counter[d] = 0;
            }
        }
        return idx;
    }

    private static T binary(Tensor a, Tensor b, DoubleBinaryOperator op) {
        T x = t(a);
        T y = t(b);
        long[] shape = broadcastShape(x.shape, y.shape);
        int[] ix = broadcastIndex(x.shape, shape);
        int[] iy = broadcastIndex(y.shape, shape);
        float[] out = new float[ix.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) op.applyAsDouble(x.data[ix[i]], y.data[iy[i]]);
        }
        return new T(shape, out);
    }

    private static T unary(Tensor a, DoubleUnaryOperator op) {
        T x = t(a);
        float[] out = new float[x.data.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) op.applyAsDouble(x.data[i]);
        }
        return new T(x.shape, out);
    }

    @Override
    public Tensor add(Tensor a, Tensor b) {
        return binary(a, b, Double::sum);
    }

    @Override
    public Tensor sub(Tensor a, Tensor b) {
        return binary(a, b, (x, y) -> x - y);
    }

    @Override
    public Tensor mul(Tensor a, Tensor b) {
        return binary(a, b, (x, y) -> x * y);
    }

    @Override
    public Tensor div(Tensor a, Tensor b) {
        return binary(a, b, (x, y) -> x / y);
    }

    @Override
    public Tensor add(Tensor a, double scalar) {
        return unary(a, x -> x + scalar);
    }

    @Override
    public Tensor mul(Tensor a, double scalar) {
        return unary(a, x -> x * scalar);
    }

    @Override
    public Tensor maximum(Tensor a, double floor) {
        return unary(a, x -> Math.max(x, floor));
    }

    @Override
    public Tensor clamp(Tensor a, double min, double max) {
        return unary(a, x -> Math.min(max, Math.max(min, x)));
    }

    @Override
    public Tensor sqrt(Tensor a) {
        return unary(a, Math::sqrt);
    }

    @Override
    public Tensor tanh(Tensor a) {
        return unary(a, Math::tanh);
    }

    @Override
    public Tensor sigmoid(Tensor a) {
        return unary(a, x -> 1.0 / (1.0 + Math.exp(-x)));
    }

    @Override
    public Tensor erf(Tensor a) {
        return unary(a, HostOps::erf);
    }

    /** erf to ~1e-15 (W. J. Cody's rational approximations via the complementary function for large |x|). */
    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax < 2.5) {
            // Maclaurin series: converges fast enough for |x| < 2.5 in double.
            double term = x;
            double sum = x;
            double x2 = x * x;
            for (int k = 1; k < 200; k++) {
                term *= -x2 / k;
                double add = term / (2 * k + 1);
                sum += add;
                if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                    break;
                }
            }
            return 2.0 / Math.sqrt(Math.PI) * sum;
        }
        // Continued fraction for erfc.
        double f = 0;
        for (int k = 60; k >= 1; k--) {
            f = k / 2.0 / (ax + f);
        }
        double erfc = Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
        return Math.signum(x) * (1 - erfc);
    }

    @Override
    public Tensor leakyRelu(Tensor a, double slope) {
        return unary(a, x -> x < 0 ? slope * x : x);
    }

    // ------------------------------------------------------------------ reductions

    private T reduce(Tensor x, int axis, boolean keepDims, boolean mean) {
        T a = t(x);
        int ax = axis(axis, a.shape.length);
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= (int) a.shape[i];
        }
        int len = (int) a.shape[ax];
        int inner = 1;
        for (int i = ax + 1; i < a.shape.length; i++) {
            inner *= (int) a.shape[i];
        }
        float[] out = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                double s = 0;
                for (int l = 0; l < len; l++) {
                    s += a.data[(o * len + l) * inner + in];
                }
                out[o * inner + in] = (float) (mean ? s / len : s);
            }
        }
        long[] shape;
        if (keepDims) {
            shape = a.shape.clone();
            shape[ax] = 1;
        } else {
            shape = new long[a.shape.length - 1];
            for (int i = 0, j = 0; i < a.shape.length; i++) {
                if (i != ax) {
                    shape[j++] = a.shape[i];
                }
            }
        }
        return new T(shape, out);
    }

    @Override
    public Tensor mean(Tensor x, int axis, boolean keepDims) {
        return reduce(x, axis, keepDims, true);
    }

    @Override
    public Tensor sum(Tensor x, int axis, boolean keepDims) {
        return reduce(x, axis, keepDims, false);
    }

    @Override
    public Tensor softmax(Tensor x, int axis) {
        T a = t(x);
        int ax = axis(axis, a.shape.length);
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= (int) a.shape[i];
        }
        int len = (int) a.shape[ax];
        int inner = 1;
        for (int i = ax + 1; i < a.shape.length; i++) {
            inner *= (int) a.shape[i];
        }
        float[] out = new float[a.data.length];
        for (int o = 0; o < outer; o++) {
            for (int in = 0; in < inner; in++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int l = 0; l < len; l++) {
                    max = Math.max(max, a.data[(o * len + l) * inner + in]);
                }
                double s = 0;
                for (int l = 0; l < len; l++) {
                    s += Math.exp(a.data[(o * len + l) * inner + in] - max);
                }
                for (int l = 0; l < len; l++) {
                    int i = (o * len + l) * inner + in;
                    out[i] = (float) (Math.exp(a.data[i] - max) / s);
                }
            }
        }
        return new T(a.shape, out);
    }

    @Override
    public Tensor layerNorm(Tensor x, Tensor weight, Tensor bias, double eps) {
        T a = t(x);
        int d = (int) a.shape[a.shape.length - 1];
        int rows = a.data.length / d;
        float[] out = new float[a.data.length];
        float[] w = weight == null ? null : t(weight).data;
        float[] b = bias == null ? null : t(bias).data;
        for (int r = 0; r < rows; r++) {
            double mean = 0;
            for (int i = 0; i < d; i++) {
                mean += a.data[r * d + i];
            }
            mean /= d;
            double var = 0;
            for (int i = 0; i < d; i++) {
                double c = a.data[r * d + i] - mean;
                var += c * c;
            }
            var /= d;
            double inv = 1.0 / Math.sqrt(var + eps);
            for (int i = 0; i < d; i++) {
                double v = (a.data[r * d + i] - mean) * inv;
                if (w != null) {
                    v *= w[i];
                }
                if (b != null) {
                    v += b[i];
                }
                out[r * d + i] = (float) v;
            }
        }
        return new T(a.shape, out);
    }

    // ------------------------------------------------------------------ linear algebra

    @Override
    public Tensor matmul(Tensor a, Tensor b) {
        T x = t(a);
        T y = t(b);
        if (x.shape.length < 2 || y.shape.length < 2) {
            throw new IllegalArgumentException("HostOps.matmul needs rank >= 2");
        }
        int m = (int) x.shape[x.shape.length - 2];
        int k = (int) x.shape[x.shape.length - 1];
        int k2 = (int) y.shape[y.shape.length - 2];
        int nn = (int) y.shape[y.shape.length - 1];
        if (k != k2) {
            throw new IllegalArgumentException("matmul " + Arrays.toString(x.shape) + " x " + Arrays.toString(y.shape));
        }
        long[] bx = Arrays.copyOf(x.shape, x.shape.length - 2);
        long[] by = Arrays.copyOf(y.shape, y.shape.length - 2);
        long[] batch = broadcastShape(bx, by);
        int[] ix = broadcastIndex(bx, batch);
        int[] iy = broadcastIndex(by, batch);
        float[] out = new float[ix.length * m * nn];
        for (int bi = 0; bi < ix.length; bi++) {
            int xo = ix[bi] * m * k;
            int yo = iy[bi] * k * nn;
            int oo = bi * m * nn;
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < nn; j++) {
                    double s = 0;
                    for (int l = 0; l < k; l++) {
                        s += (double) x.data[xo + i * k + l] * y.data[yo + l * nn + j];
                    }
                    out[oo + i * nn + j] = (float) s;
                }
            }
        }
        long[] shape = Arrays.copyOf(batch, batch.length + 2);
        shape[batch.length] = m;
        shape[batch.length + 1] = nn;
        return new T(shape, out);
    }

    @Override
    public Tensor linear(Tensor x, Tensor weight, Tensor bias) {
        T a = t(x);
        T w = t(weight);
        int in = (int) w.shape[1];
        int outF = (int) w.shape[0];
        if (a.shape[a.shape.length - 1] != in) {
            throw new IllegalArgumentException("linear " + Arrays.toString(a.shape) + " with weight "
                    + Arrays.toString(w.shape));
        }
        int rows = a.data.length / in;
        float[] b = bias == null ? null : t(bias).data;
        float[] out = new float[rows * outF];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outF; o++) {
                double s = b == null ? 0 : b[o];
                for (int i = 0; i < in; i++) {
                    s += (double) a.data[r * in + i] * w.data[o * in + i];
                }
                out[r * outF + o] = (float) s;
            }
        }
        long[] shape = a.shape.clone();
        shape[shape.length - 1] = outF;
        return new T(shape, out);
    }

    @Override
    public Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padBegin, int[] padEnd, int groups) {
        T a = t(x);
        T w = t(weight);
        if (a.shape.length != 4) {
            throw new UnsupportedOperationException("HostOps.conv supports 2-D convolution only");
        }
        int nb = (int) a.shape[0];
        int c = (int) a.shape[1];
        int h = (int) a.shape[2];
        int wd = (int) a.shape[3];
        int o = (int) w.shape[0];
        int cg = (int) w.shape[1];
        int kh = (int) w.shape[2];
        int kw = (int) w.shape[3];
        int oh = (h + padBegin[0] + padEnd[0] - kh) / stride[0] + 1;
        int ow = (wd + padBegin[1] + padEnd[1] - kw) / stride[1] + 1;
        int og = o / groups;
        float[] b = bias == null ? null : t(bias).data;
        float[] out = new float[nb * o * oh * ow];
        for (int n = 0; n < nb; n++) {
            for (int oc = 0; oc < o; oc++) {
                int g = oc / og;
                for (int y = 0; y < oh; y++) {
                    for (int xx = 0; xx < ow; xx++) {
                        double s = b == null ? 0 : b[oc];
                        for (int ic = 0; ic < cg; ic++) {
                            int cin = g * cg + ic;
                            for (int ky = 0; ky < kh; ky++) {
                                int iy = y * stride[0] - padBegin[0] + ky;
                                if (iy < 0 || iy >= h) {
                                    continue;
                                }
                                for (int kx = 0; kx < kw; kx++) {
                                    int ix = xx * stride[1] - padBegin[1] + kx;
                                    if (ix < 0 || ix >= wd) {
                                        continue;
                                    }
                                    s += (double) a.data[((n * c + cin) * h + iy) * wd + ix]
                                            * w.data[((oc * cg + ic) * kh + ky) * kw + kx];
                                }
                            }
                        }
                        out[((n * o + oc) * oh + y) * ow + xx] = (float) s;
                    }
                }
            }
        }
        return new T(new long[] {nb, o, oh, ow}, out);
    }

    @Override
    public Tensor attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
        Tensor scores = mul(matmul(q, permute(k, 0, 1, 3, 2)), scale);
        if (bias != null) {
            scores = add(scores, bias);
        }
        return matmul(softmax(scores, -1), v);
    }

    // ------------------------------------------------------------------ layout

    @Override
    public Tensor reshape(Tensor x, long... shape) {
        T a = t(x);
        long[] s = shape.clone();
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
            s[unknown] = a.data.length / known;
        }
        if (n(s) != a.data.length) {
            throw new IllegalArgumentException("reshape " + Arrays.toString(a.shape) + " to " + Arrays.toString(shape));
        }
        return new T(s, a.data);
    }

    @Override
    public Tensor permute(Tensor x, int... axes) {
        T a = t(x);
        int r = a.shape.length;
        long[] shape = new long[r];
        int[] inStrides = strides(a.shape);
        int[] st = new int[r];
        for (int i = 0; i < r; i++) {
            shape[i] = a.shape[axes[i]];
            st[i] = inStrides[axes[i]];
        }
        float[] out = new float[a.data.length];
        int[] counter = new int[r];
        int pos = 0;
        for (int k = 0; k < out.length; k++) {
            out[k] = a.data[pos];
            for (int d = r - 1; d >= 0; d--) {
                counter[d]++;
                pos += st[d];
                if (counter[d] < shape[d]) {
                    break;
                }
                pos -= st[d] * counter[d];
                counter[d] = 0;
            }
        }
        return new T(shape, out);
    }

    @Override
    public Tensor slice(Tensor x, int axis, long start, long end) {
        T a = t(x);
        int ax = axis(axis, a.shape.length);
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= (int) a.shape[i];
        }
        int len = (int) a.shape[ax];
        int inner = 1;
        for (int i = ax + 1; i < a.shape.length; i++) {
            inner *= (int) a.shape[i];
        }
        int newLen = (int) (end - start);
        float[] out = new float[outer * newLen * inner];
        for (int o = 0; o < outer; o++) {
            System.arraycopy(a.data, (o * len + (int) start) * inner, out, o * newLen * inner, newLen * inner);
        }
        long[] shape = a.shape.clone();
        shape[ax] = newLen;
        return new T(shape, out);
    }

    @Override
    public Tensor concat(int axis, List<Tensor> parts) {
        T first = t(parts.get(0));
        int ax = axis(axis, first.shape.length);
        int outer = 1;
        for (int i = 0; i < ax; i++) {
            outer *= (int) first.shape[i];
        }
        int inner = 1;
        for (int i = ax + 1; i < first.shape.length; i++) {
            inner *= (int) first.shape[i];
        }
        long total = 0;
        for (Tensor p : parts) {
            total += p.shape()[ax];
        }
        long[] shape = first.shape.clone();
        shape[ax] = total;
        float[] out = new float[n(shape)];
        int offset = 0;
        for (Tensor p : parts) {
            T pt = t(p);
            int len = (int) pt.shape[ax];
            for (int o = 0; o < outer; o++) {
                System.arraycopy(pt.data, o * len * inner, out, (o * (int) total + offset) * inner, len * inner);
            }
            offset += len;
        }
        return new T(shape, out);
    }

    @Override
    public Tensor pad(Tensor x, long[] before, long[] after, double value) {
        T a = t(x);
        int r = a.shape.length;
        long[] shape = new long[r];
        for (int i = 0; i < r; i++) {
            shape[i] = a.shape[i] + before[i] + after[i];
        }
        float[] out = new float[n(shape)];
        Arrays.fill(out, (float) value);
        int[] os = strides(shape);
        int[] counter = new int[r];
        for (int k = 0; k < a.data.length; k++) {
            int pos = 0;
            for (int d = 0; d < r; d++) {
                pos += (counter[d] + (int) before[d]) * os[d];
            }
            out[pos] = a.data[k];
            for (int d = r - 1; d >= 0; d--) {
                if (++counter[d] < a.shape[d]) {
                    break;
                }
                counter[d] = 0;
            }
        }
        return new T(shape, out);
    }

    @Override
    public Tensor broadcastTo(Tensor x, long... shape) {
        T a = t(x);
        int[] idx = broadcastIndex(a.shape, shape);
        float[] out = new float[idx.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.data[idx[i]];
        }
        return new T(shape.clone(), out);
    }
}
