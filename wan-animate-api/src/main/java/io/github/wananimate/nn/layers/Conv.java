package io.github.wananimate.nn.layers;

import io.github.wananimate.nn.Ops;
import io.github.wananimate.nn.ParameterSpec;
import io.github.wananimate.nn.Tensor;
import io.github.wananimate.tensor.DType;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code nn.Conv1d/2d/3d} (cross-correlation, zero padding, possibly asymmetric): keys {@code <module>.weight}
 * {@code [out, in/groups, k1..kn]} and {@code <module>.bias} {@code [out]}. Reduced compute dtype as {@link Linear}.
 * Immutable; the geometry is set with the {@code with…} methods.
 */
public final class Conv implements Layer {

    private final ParameterSpec weight;
    private final ParameterSpec bias;
    private final DType compute;
    private final int[] stride;
    private final int[] padBegin;
    private final int[] padEnd;
    private final int groups;
    private final double weightScale;

    private Conv(ParameterSpec weight, ParameterSpec bias, DType compute, int[] stride, int[] padBegin, int[] padEnd,
            int groups, double weightScale) {
        Layers.checkFloat(compute, "compute dtype of " + weight.key());
        this.weight = weight;
        this.bias = bias;
        this.compute = compute;
        this.stride = stride;
        this.padBegin = padBegin;
        this.padEnd = padEnd;
        this.groups = groups;
        this.weightScale = weightScale;
    }

    /** A convolution with bias, stride 1, no padding, one group. */
    public static Conv of(String module, long out, long inPerGroup, DType stored, DType compute, long... kernel) {
        long[] shape = new long[2 + kernel.length];
        shape[0] = out;
        shape[1] = inPerGroup;
        System.arraycopy(kernel, 0, shape, 2, kernel.length);
        int n = kernel.length;
        return new Conv(new ParameterSpec(module + ".weight", shape, false, stored),
                new ParameterSpec(module + ".bias", new long[] {out}, false, stored), compute, ones(n), new int[n],
                new int[n], 1, 1.0);
    }

    public Conv withStride(int... value) {
        return new Conv(weight, bias, compute, value.clone(), padBegin, padEnd, groups, weightScale);
    }

    /** Zero padding before and after each spatial axis. */
    public Conv withPadding(int[] begin, int[] end) {
        return new Conv(weight, bias, compute, stride, begin.clone(), end.clone(), groups, weightScale);
    }

    public Conv withGroups(int value) {
        return new Conv(weight, bias, compute, stride, padBegin, padEnd, value, weightScale);
    }

    public Conv withoutBias() {
        return new Conv(weight, null, compute, stride, padBegin, padEnd, groups, weightScale);
    }

    /** The weight multiplied by {@code scale} (in float32) before use: StyleGAN's equalised learning rate. */
    public Conv withWeightScale(double scale) {
        return new Conv(weight, bias, compute, stride, padBegin, padEnd, groups, scale);
    }

    /** The weight's shape {@code [out, in/groups, k1..kn]}. */
    public long[] weightShape() {
        return weight.shape().clone();
    }

    @Override
    public List<ParameterSpec> parameters() {
        List<ParameterSpec> specs = new ArrayList<>(2);
        specs.add(weight);
        if (bias != null) {
            specs.add(bias);
        }
        return specs;
    }

    /** {@code x [N, C, s1..sn]} (float32) → {@code [N, out, …]} (float32). */
    public Tensor apply(Ops ops, Tensor x) {
        Tensor b = bias == null ? null : Layers.in(ops, bias, compute);
        Tensor w = weightScale == 1.0 ? Layers.in(ops, weight, compute)
                : Layers.to(ops, ops.mul(Layers.f32(ops, weight), weightScale), compute);
        Tensor y = ops.conv(Layers.to(ops, x, compute), w, b, stride, padBegin, padEnd, groups);
        return Layers.to(ops, y, DType.F32);
    }

    private static int[] ones(int n) {
        int[] a = new int[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
