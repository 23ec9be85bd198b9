package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.List;

/**
 * {@code nn.Conv1d/2d/3d} (cross-correlation, zero padding, possibly asymmetric): keys {@code <module>.weight}
 * {@code [out, in/groups, k1..kn]} and {@code <module>.bias} {@code [out]}. Reduced compute dtype as {@link Linear}.
 * Immutable; the geometry is set with the {@code with…} methods.
 */
public final class Conv implements Layer {

    private final Weight weight;
    private final Weight bias;
    private final DType compute;
    private final int[] stride;
    private final int[] padBegin;
    private final int[] padEnd;
    private final int groups;
    private final double weightScale;
    private final long[] appliedShape;

    private Conv(Weight weight, Weight bias, DType compute, int[] stride, int[] padBegin, int[] padEnd,
            int groups, double weightScale, long[] appliedShape) {
        Layers.checkFloat(compute, "compute dtype of " + weight.key());
        this.weight = weight;
        this.bias = bias;
        this.compute = compute;
        this.stride = stride;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.groups = groups;
        this.weightScale = weightScale;
        this.appliedShape = appliedShape;
    }

    /** A convolution with bias, stride 1, no padding, one group. */
    public static Conv of(String module, long out, long inPerGroup, DType stored, DType compute, long... kernel) {
        long[] shape = new long[2 + kernel.length];
        shape[0] = out;
        shape[1] = inPerGroup;
        System.arraycopy(kernel, 0, shape, 2, kernel.length);
        int n = kernel.length;
        return new Conv(new Weight(module + ".weight", stored, shape), new Weight(module + ".bias", stored, out),
                compute, ones(n), new int[n], new int[n], 1, 1.0, null);
    }

    /**
     * A {@code Conv2d} (kernel {@code kh × kw}, stored {@code [out, in, kh, kw]}) applied frame by frame to a video
     * {@code [N, C, T, H, W]} as a 3-D conv with a depth-1 kernel; stride and padding are given per axis
     * {@code (t, h, w)}.
     */
    public static Conv perFrame(String module, long out, long in, DType stored, DType compute, long kh, long kw) {
        Conv conv = of(module, out, in, stored, compute, kh, kw);
        return new Conv(conv.weight, conv.bias, compute, ones(3), new int[3], new int[3], 1, 1.0,
                new long[] {out, in, 1, kh, kw});
    }

    public Conv withStride(int... value) {
        return new Conv(weight, bias, compute, value.clone(), padBegin, padEnd, groups, weightScale, appliedShape);
    }

    /** Zero padding before and after each spatial axis. */
    public Conv withPadding(int[] begin, int[] end) {
        return new Conv(weight, bias, compute, stride, begin.clone(), end.clone(), groups, weightScale, appliedShape);
    }

    public Conv withGroups(int value) {
        return new Conv(weight, bias, compute, stride, padBegin, padEnd, value, weightScale, appliedShape);
    }

    public Conv withoutBias() {
        return new Conv(weight, null, compute, stride, padBegin, padEnd, groups, weightScale, appliedShape);
    }

    /** The weight multiplied by {@code scale} (in float32) before use: StyleGAN's equalised learning rate. */
    public Conv withWeightScale(double scale) {
        return new Conv(weight, bias, compute, stride, padBegin, padEnd, groups, scale, appliedShape);
    }

    /** The weight's shape {@code [out, in/groups, k1..kn]}. */
    public long[] weightShape() {
        return weight.shape();
    }

    @Override
    public List<ParameterSpec> parameters() {
        return bias == null ? weight.parameters() : Layers.parameters(List.of(weight, bias));
    }

    /** {@code x [N, C, s1..sn]} (float32) → {@code [N, out, …]} (float32). */
    public Tensor apply(Ops ops, Tensor x) {
        Tensor w = weight.scaledIn(ops, weightScale, compute);
        return convolve(ops, x, appliedShape == null ? w : ops.reshape(w, appliedShape));
    }

    /**
     * This conv over {@code x [N, C, 1, …]} preceded by zero frames enough for its whole temporal kernel (a causal
     * conv at the start of a sequence): only the kernel's last temporal tap meets a non-zero frame, so the result is
     * that tap alone applied to {@code x}, without building the zero frames (the same values up to float summation
     * order).
     *
     * @param ops the backend
     * @param x one frame, {@code [N, C, 1, s2..sn]}
     * @return {@code [N, out, 1, …]} (float32)
     */
    public Tensor applyAfterZeroFrames(Ops ops, Tensor x) {
        if (appliedShape != null || weight.shape().length != 5 || x.dim(2) != 1 || padBegin[0] != 0 || padEnd[0] != 0) {
            throw new IllegalStateException(weight.key() + ": a temporal conv without temporal padding over one "
                    + "frame is needed, got input " + java.util.Arrays.toString(x.shape()));
        }
        Tensor w = weight.scaledIn(ops, weightScale, compute);
        long taps = w.dim(2);
        return convolve(ops, x, ops.slice(w, 2, taps - 1, taps));
    }

    /** {@code x} (float32) convolved with {@code w} (in the compute dtype) and the bias, back in float32. */
    private Tensor convolve(Ops ops, Tensor x, Tensor w) {
        Tensor b = bias == null ? null : bias.in(ops, compute);
        Tensor y = ops.conv(Layers.to(ops, x, compute), w, b, stride, padBegin, padEnd, groups);
        return Layers.to(ops, y, DType.F32);
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
